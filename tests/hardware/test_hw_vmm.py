"""The ``hw`` VMM (vlab/hardware/hw_vmm.py) on small hand-written bare-metal guests.

Each guest (tests/hardware/guest_programs.py) checks itself; it runs on the bare machine
and under ``cpu='hw'``, both engines, and must give the same result and instruction
count.  Then the hw-specific claims: the guest's S-mode runs natively in VS-mode (its
sret, S-CSR accesses, delegated traps and page-table walks take no exit), there are no
shadow tables, devices are MMIO exits, guest M-mode is emulated on virtual CSRs, and bad
guests stop with the bare machine's reason.
"""
import guest_programs as guests
import pytest

from vlab.hardware.g_stage import GUEST_RWX, GUEST_X, build_g_stage
from vlab.hardware.guest_memory import GuestMemory
from vlab.hardware.mmio import decode_access
from vlab.hardware.vm import VirtualMachine
from vlab.isa.asm import assemble
from vlab.isa.machine import Machine
from vlab.isa.pagetable import SV32X4, walk
from vlab.isa.privilege import M, S, U

RAM = 1 << 20
BUDGET = 200_000


@pytest.fixture(params=['interp', 'dbt'])
def engine(request):
    return request.param


def equivalent(image, engine):
    bare = Machine(ram_size=RAM, engine=engine)
    bare.load_elf(image)
    expected = bare.run(max_instructions=BUDGET)
    vm = VirtualMachine(image, cpu='hw', engine=engine, guest_ram=RAM)
    result = vm.run(max_instructions=BUDGET)
    assert (expected.status, expected.exit_code) == ('exit', 0), str(expected)
    assert (result.status, result.exit_code, result.instructions) == \
        ('exit', 0, expected.instructions), str(result)
    assert vm.console == bare.platform.console_output()
    return vm


def trap_emulate_exits(image):
    vm = VirtualMachine(image, guest_ram=RAM)
    vm.run(max_instructions=BUDGET)
    return sum(vm.exits.values())


@pytest.mark.parametrize('program', ['CSR_EMULATION', 'MSTATUS_ROUND_TRIP',
                                     'ILLEGAL_REFLECTED', 'TIMER_SPIN', 'TIMER_WFI',
                                     'SUPERVISOR_INTERRUPT'])
def test_guest_programs_are_equivalent(program, engine):
    equivalent(guests.image(getattr(guests, program)), engine)


def test_guest_m_mode_is_emulated_on_virtual_csrs(engine):
    vm = equivalent(guests.image(guests.CSR_EMULATION), engine)
    assert vm.vmm.vcpu.priv == M and vm.machine.hart.priv == U     # virtual M in VU
    assert vm.machine.hart.virt == 1
    assert vm.vmm.vcpu.csr.mscratch == 15 and vm.machine.hart.csr.mscratch == 0
    for name in ('csrrw', 'csrrs', 'csrrc', 'csrrwi', 'csrrsi', 'csrrci'):
        assert vm.vmm.emulated[name] > 0, name


def test_supervisor_code_runs_natively_in_vs_mode(engine):
    """MODE_SWITCHES: M -> S (mret) -> U (sret) -> S (delegated ecall) -> M (ecall).
    Under trap-and-emulate the S-mode csrr/csrw/sret exit; under hw only the M-level
    work does: the sret, the S-CSR accesses and the delegated ecall are the hardware's."""
    image = guests.image(guests.MODE_SWITCHES)
    vm = equivalent(image, engine)
    assert 'sret' not in vm.exits
    assert vm.exits['ecall'] == 1                       # only the one for virtual M
    assert sum(vm.exits.values()) < trap_emulate_exits(image)
    assert vm.vmm.vcpu.csr.scause == 8 and vm.vmm.vcpu.csr.mcause == 9


def test_guest_page_tables_need_no_shadow(engine):
    """SHADOW_PAGING: the guest's Sv32 tables over the G-stage: no hidden faults, no
    shadow fills; the guest's true fault is reflected to its M-mode, its A/D bits set by
    the hardware walker."""
    image = guests.image(guests.SHADOW_PAGING, guests.SHADOW_DATA)
    vm = equivalent(image, engine)
    assert vm.vmm.shadow.fills == 0
    assert not any('shadow' in reason for reason in vm.exits)
    assert vm.exits['load page fault (reflected)'] == 1
    assert vm.ledger.counts['page_walk_ref'] > 0        # two-stage walks, in hardware


DEVICES = '''
    la t0, fail
    csrw mtvec, t0
    li t1, 0x10000000               # UART THR
    li t2, 0x4F
    sb t2, 0(t1)
    li t2, 0x4B
    sb t2, 0(t1)
    li gp, 2
    lbu t3, 5(t1)                   # LSR: THRE and TEMT set
    andi t3, t3, 0x60
    li t4, 0x60
    bne t3, t4, fail
    li gp, 3
    li t2, 0xF0                     # UART scratch register: lb sign-extends, lbu not
    sb t2, 7(t1)
    lb t3, 7(t1)
    li t4, -16
    bne t3, t4, fail
    lbu t3, 7(t1)
    bne t3, t2, fail
    li gp, 4
    li t0, 0x02004000               # mtimecmp: stored and read back
    li t1, -5
    sw t1, 0(t0)
    lw t2, 0(t0)
    bne t1, t2, fail
    j pass
'''


def test_device_accesses_are_mmio_exits(engine):
    vm = equivalent(guests.image(DEVICES), engine)
    assert vm.console.startswith(b'OK')
    assert vm.exits['MMIO store'] == 4 and vm.exits['MMIO load'] == 4
    assert vm.vmm.emulated['sb'] == 3 and vm.vmm.emulated['lb'] == 1


MPRV = '''
    la t0, m_handler
    csrw mtvec, t0
    la t0, pt_root                  # va 0x00400000 -> data_page (an S page, A = D = 0)
    la t1, pt_l0
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, 1
    sw t1, 4(t0)
    la t1, data_page
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, 7
    la t2, pt_l0
    sw t1, 0(t2)
    srli t0, t0, 12
    li t1, 0x80000000
    or t0, t0, t1
    csrw satp, t0
    li t0, 0x20800                  # MPRV, MPP = S: loads and stores translated as S
    csrs mstatus, t0
    li gp, 2
    li t0, 0x00400000
    li t1, 0x1234
    sw t1, 8(t0)
    lw t2, 8(t0)
    bne t1, t2, fail
    li gp, 3
    li t0, 0x00401000               # unmapped: a load page fault in M-mode
    lw t2, 0(t0)
    j fail
m_handler:
    li t0, 0x20000
    csrc mstatus, t0                # MPRV off: physical again
    li gp, 4
    csrr t0, mcause
    li t1, 13
    bne t0, t1, fail
    li gp, 5
    la t0, data_page
    lw t1, 8(t0)
    li t2, 0x1234
    bne t1, t2, fail
    li gp, 6
    la t0, pt_l0                    # A and D set by the store through the table
    lw t1, 0(t0)
    andi t1, t1, 0xC0
    li t2, 0xC0
    bne t1, t2, fail
    j pass
'''


def test_mprv_in_guest_m_mode_translates_loads_and_stores(engine):
    vm = equivalent(guests.image(MPRV, guests.SHADOW_DATA), engine)
    assert vm.exits['MPRV store'] == 1 and vm.exits['MPRV load'] == 1
    assert vm.exits['MPRV page fault (reflected)'] == 1


# ---------------------------------------------------------------- the G-stage
def test_g_stage_maps_guest_ram_only_and_never_the_vmm_memory():
    machine = Machine(ram_size=RAM + (1 << 20))
    memory = GuestMemory(machine.bus, RAM)
    table, hgatp = build_g_stage(memory, vmid=9)
    assert hgatp >> 31 == 1 and hgatp >> 22 & 0x7F == 9
    root = hgatp & 0x3FFFFF
    load = machine.bus.load

    def translate(gpa, access=1):
        return walk(lambda a: load(a, 4), root, gpa, access, scheme=SV32X4)

    assert translate(memory.base + 0x1234).pa == memory.base + 0x1234
    assert translate(memory.base + RAM - 4).pa == memory.base + RAM - 4
    for outside in (memory.vmm_base, 0x0200_0000, 0x1000_0000, 0):
        assert translate(outside).fault == 21, hex(outside)       # load guest-page fault
    assert GUEST_RWX & 0x10 and GUEST_X & 0x10                    # every leaf is U
    x_table, _ = build_g_stage(memory, vmid=10, flags=GUEST_X, start=table.alloc.next)
    assert x_table.root >= table.alloc.next
    x_root = x_table.root >> 12
    assert walk(lambda a: load(a, 4), x_root, memory.base, 0, scheme=SV32X4).fault is None
    assert walk(lambda a: load(a, 4), x_root, memory.base, 1, scheme=SV32X4).fault == 21


def test_g_stage_refuses_a_bad_vmid_and_a_full_pool():
    machine = Machine(ram_size=RAM + (1 << 20))
    memory = GuestMemory(machine.bus, RAM)
    with pytest.raises(ValueError, match='VMID'):
        build_g_stage(memory, vmid=200)
    with pytest.raises(ValueError, match='no VMM memory'):
        build_g_stage(memory, start=memory.vmm_base + memory.vmm_size - 4096)


def test_mmio_decoding_table():
    def word(line):
        return int.from_bytes(assemble(f'.text\n{line}\n').text[:4], 'little')

    assert decode_access(word('lb a0, 1(a1)'))[:5] == ('lb', 1, False, True, 10)
    assert decode_access(word('lhu a0, 2(a1)'))[:4] == ('lhu', 2, False, False)
    assert decode_access(word('sw a2, 0(a1)'))[:5] == ('sw', 4, True, False, 12)
    assert decode_access(word('amoadd.w a0, a1, (a2)')) is None
    assert decode_access(word('add a0, a1, a2')) is None


# ---------------------------------------------------------------- bad guests
def test_jump_to_unmapped_memory_stops_like_the_bare_machine():
    result = VirtualMachine(guests.image(guests.JUMP_TO_NOWHERE), cpu='hw',
                            guest_ram=RAM).run(BUDGET)
    assert (result.status, result.cause, result.pc) == ('fault', 1, 0x1000_0000)
    assert 'mtvec is 0' in result.message


def test_writing_the_vmm_memory_is_a_guest_access_fault():
    program = guests.WRITE_PAST_GUEST_RAM.replace('GUEST_END', hex(0x8000_0000 + RAM))
    vm = VirtualMachine(guests.image(program), cpu='hw', guest_ram=RAM)
    before = vm.machine.bus.read_bytes(vm.memory.vmm_base, 1 << 16)
    result = vm.run(BUDGET)
    assert (result.status, result.cause, result.tval) == ('fault', 7, 0x8000_0000 + RAM)
    assert vm.machine.bus.read_bytes(vm.memory.vmm_base, 1 << 16) == before


def test_trap_storm_and_budget_stop_the_vm():
    result = VirtualMachine(guests.image(guests.TRAP_STORM), cpu='hw',
                            guest_ram=RAM).run(BUDGET)
    assert result.status == 'fault' and 'trap storm' in result.message
    spin = VirtualMachine(guests.image('spin: j spin\n'), cpu='hw', guest_ram=RAM)
    assert spin.run(1000).status == 'budget'


def test_exits_are_charged_once_each_and_stats_name_the_method():
    vm = VirtualMachine(guests.image(guests.MODE_SWITCHES), cpu='hw', guest_ram=RAM,
                        log_exits=True)
    vm.run(BUDGET)
    exits = sum(vm.exits.values())
    assert vm.ledger.counts['vm_exit'] == exits == len(vm.vmm.log)
    steps = [(r.reason, r.level_before, r.level_after) for r in vm.vmm.log
             if r.level_before != r.level_after]
    assert steps == [('mret', 'M', 'S'), ('ecall', 'S', 'M')]
    text = vm.stats().text()
    assert 'CPU virtualization: hw' in text and 'no shadow tables' in text
    assert f'world switches: {2 * exits}' in text and 'vm_exit' in text
    assert vm.vmm.vcpu.priv == M and S != M
