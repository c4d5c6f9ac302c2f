"""One guest stepped through its VM exits under trap-and-emulate (Popek & Goldberg 1974).

The guest below is a bare-metal kernel in its virtual M-mode: it writes and reads
``mscratch``, returns to virtual S-mode with ``mret`` and makes an ``ecall``, whose handler
ends the run.  Under trap-and-emulate (vlab/hardware/trap_emulate.py) all of it runs in
real U-mode, so each privileged instruction traps into the VMM, which emulates it on the
*virtual* CSRs (vlab/hardware/privileged.py) and resumes the guest.

``trap_steps()`` runs the guest one instruction at a time (``VirtualMachine.run`` with a
budget of 1, so the VMM's exit log grows by at most one record per step) and, for every
instruction, records whether it exited, the VMM's exit record, the guest's virtual level
and the virtual and the real ``mscratch``/``mepc`` before and after.  The real CSRs do not
move: the guest's view lives in the VMM's virtual CPU (vlab/hardware/vcpu.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from vlab.hardware.vm import VirtualMachine
from vlab.isa.asm import assemble
from vlab.isa.disasm import disassemble
from vlab.isa.elf import load_elf

GUEST = '''
.text
.globl _start
_start:
    la t0, m_trap
    csrw mtvec, t0
    li a0, 0x1234
    csrw mscratch, a0
    csrr a1, mscratch
    la t0, s_code
    csrw mepc, t0
    li t0, 0x0800                  # mstatus.MPP = S
    csrs mstatus, t0
    mret
s_code:
    ecall                          # from virtual S: cause 9, handled by m_trap
m_trap:
    li a0, 1
    la t6, tohost
    sw a0, 0(t6)
    sw zero, 4(t6)
1:  j 1b
.data
.align 3
tohost: .word 0, 0
fromhost: .word 0, 0
'''
WATCHED = ('mscratch', 'mepc', 'mcause')
MAX_STEPS = 40


@dataclass(frozen=True)
class Step:
    """One guest instruction: did it exit, and what the VMM did to the virtual CPU."""

    pc: int
    text: str
    exited: bool
    reason: str
    decision: str
    level_before: str
    level_after: str
    virtual_before: dict
    virtual_after: dict
    real_after: dict


def _csrs(csr_file) -> dict:
    return {name: csr_file[name] for name in WATCHED}


def trap_steps(guest: str = GUEST) -> list[Step]:
    """Step ``guest`` under trap-and-emulate until it exits; one ``Step`` per instruction."""
    image = load_elf(assemble(guest, filename='trap_step.s').to_elf())
    vm = VirtualMachine(image, cpu='trap-emulate', guest_ram=1 << 20, log_exits=True)
    hart, vcpu, log = vm.machine.hart, vm.vmm.vcpu, vm.vmm.log
    steps = []
    for _ in range(MAX_STEPS):
        pc, seen = hart.pc, len(log)
        word = vm.machine.bus.load(pc, 4)
        before, level = _csrs(vcpu.csr), vcpu.priv_name
        result = vm.run(max_instructions=1)
        record = log[seen] if len(log) > seen else None
        steps.append(Step(pc, disassemble(word, pc), record is not None,
                          record.reason if record else '', record.decision if record else '',
                          level, vcpu.priv_name, before, _csrs(vcpu.csr), _csrs(hart.csr)))
        if result.status != 'budget':
            break
    return steps


def step_rows(steps: list[Step]) -> list[tuple]:
    """Table rows: pc, instruction, exit?, reason, VMM decision, level, virtual mscratch."""
    return [(f'{s.pc:#x}', s.text, 'exit' if s.exited else 'direct', s.reason or '-',
             s.decision or '-', f'{s.level_before}->{s.level_after}',
             f'{s.virtual_after["mscratch"]:#x}', f'{s.real_after["mscratch"]:#x}')
            for s in steps]


STEP_HEADER = ('pc', 'instruction', 'ran', 'exit reason', 'VMM', 'virtual level',
               'virtual mscratch', 'real mscratch')
