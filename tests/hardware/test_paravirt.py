"""Paravirtualization (vlab/hardware/paravirt_vmm.py and the -DPARAVIRT guest kernel):
fewer exits than trap-and-emulate for the same program, hypercalls instead of privileged
instructions, and page-table updates validated (a bad one stops the VM with a reason)."""
from __future__ import annotations

from pathlib import Path

import guest_programs as guests
import pytest

from vlab.hardware.guest_kernel.boot import boot_user_program
from vlab.hardware.paravirt_vmm import PV_EID, PvRefused
from vlab.hardware.vm import VirtualMachine, VmError
from vlab.isa.asm import assemble
from vlab.isa.elf import load_elf
from vlab.isa.runtime import compile_c

PROGRAMS = Path(__file__).parents[1] / 'isa' / 'c_programs'
BUDGET = 20_000_000
PV_EXITS = ('hypercall ', 'SBI ', 'timer interrupt', 'environment call from U-mode',
            'load page fault', 'store/AMO page fault')


@pytest.fixture(scope='module')
def elves(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp('paravirt-programs')
    return {name: compile_c([PROGRAMS / f'{name}.c'], out / f'{name}.elf')
            for name in ('hello', 'sysinfo')}


def run(elf, cpu):
    vm = boot_user_program(elf, [elf.stem], cpu=cpu)
    result = vm.run(max_instructions=BUDGET)
    assert result.status == 'exit', result.message
    return vm


@pytest.mark.parametrize('name', ['hello', 'sysinfo'])
def test_paravirt_exits_fewer_times_than_trap_and_emulate(elves, name):
    """Same program, same output: the native kernel under trap-and-emulate exits for every
    csrr/csrw/sret/sfence.vma and shadow fill; the paravirtual one only for hypercalls,
    SBI calls and the user traps bounced to it."""
    te, pv = run(elves[name], 'trap-emulate'), run(elves[name], 'paravirt')
    assert te.console == pv.console
    te_exits, pv_exits = sum(te.exits.values()), sum(pv.exits.values())
    assert pv_exits * 3 < te_exits, (te.exits, pv.exits)
    assert te.ledger.counts['vm_exit'] == te_exits          # hardware-style exits
    assert pv.ledger.counts['hypercall'] == pv_exits        # software traps (costs.py)
    assert 'vm_exit' not in pv.ledger.counts
    assert pv.ledger.total_cycles < te.ledger.total_cycles


def test_the_paravirtual_kernel_executes_no_privileged_instruction(elves):
    vm = run(elves['sysinfo'], 'paravirt')
    assert all(reason.startswith(PV_EXITS) for reason in vm.exits), vm.exits
    # one PV_IRET per system call, plus the first entry, minus exit_group (never returns)
    assert vm.exits['hypercall iret'] == vm.exits[
        'environment call from U-mode (bounced to the guest kernel)']
    served = vm.vmm.emulated
    assert served['mmu_update'] > 30 and served['pin_root'] == 1 and served['new_baseptr'] == 1
    # batched: far fewer multicalls than page-table updates
    assert vm.exits['hypercall multicall'] * 5 < served['mmu_update']


def test_pte_updates_are_validated(elves):
    vm = run(elves['hello'], 'paravirt')
    vmm, memory = vm.vmm, vm.memory
    root = next(page for page, base in vmm.tables.items() if base is None)
    vmm_memory = memory.vmm_base                     # 4 MiB aligned: a megapage there
    with pytest.raises(PvRefused, match='not whole, aligned guest RAM'):
        vmm._mmu_update(root + 0x300 * 4, vmm_memory >> 12 << 10 | 0xCF)
    with pytest.raises(PvRefused, match='not in a page table the guest pinned'):
        vmm._mmu_update(memory.base + 0x10000, 0)
    kernel_page = memory.base                        # holds the kernel's code: not zero
    with pytest.raises(PvRefused, match='not a zeroed page'):
        vmm._mmu_update(root + 0x300 * 4, kernel_page >> 12 << 10 | 0x1)


def asm_guest(body: str, data: str = ''):
    source = ('.text\n.globl _start\n_start:\n' + body + guests.EPILOGUE + data)
    return load_elf(assemble(source, filename='pv.s').to_elf())


def test_a_guest_mapping_vmm_memory_is_stopped_with_the_reason():
    """A hostile paravirtual guest asks to map the VMM's memory (a megapage just above
    guest RAM) through a real multicall: refused, the VM stops, nothing is mapped."""
    guest = asm_guest(f'''
    la t0, root
    la t1, batch
    li t2, 2                       # PV_OP_PIN_ROOT root
    sw t2, 0(t1)
    sw t0, 4(t1)
    li t2, 1                       # PV_OP_MMU_UPDATE &root[0x300], VMM memory
    sw t2, 12(t1)
    li t4, 0xC00
    add t3, t0, t4
    sw t3, 16(t1)
    li t2, {(0x80000000 + (8 << 20)) >> 12 << 10 | 0xCF:#x}
    sw t2, 20(t1)
    li a7, {PV_EID:#x}
    li a6, 1
    mv a0, t1
    li a1, 2
    ecall
    j pass
''', '.bss\n.balign 4096\nroot: .space 4096\nbatch: .space 24\n')
    vm = VirtualMachine(guest, cpu='paravirt', entry='S', guest_ram=8 << 20)
    result = vm.run(max_instructions=10_000)
    assert result.status == 'idle' and 'multicall entry 1 (mmu_update)' in result.message
    assert 'not whole, aligned guest RAM' in result.message
    assert vm.vmm.kernel_view.lookup(0xC0000000) is None


def test_an_unknown_hypercall_or_a_privileged_instruction_stops_the_guest():
    vm = VirtualMachine(asm_guest(f'li a7, {PV_EID:#x}\nli a6, 9\necall\nj pass\n'),
                        cpu='paravirt', entry='S', guest_ram=8 << 20)
    result = vm.run(max_instructions=10_000)
    assert result.status == 'idle' and 'unknown hypercall 9' in result.message
    vm = VirtualMachine(asm_guest('csrw stvec, zero\nj pass\n'), cpu='paravirt', entry='S',
                        guest_ram=8 << 20)
    result = vm.run(max_instructions=10_000)
    assert 'executes no privileged instruction' in result.message


def test_paravirt_needs_the_paravirtual_kernel():
    with pytest.raises(VmError, match='paravirtual build of the guest kernel'):
        VirtualMachine(asm_guest('j pass\n'), cpu='paravirt', guest_ram=8 << 20)
