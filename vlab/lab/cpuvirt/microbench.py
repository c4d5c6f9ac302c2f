"""Microbenchmarks in the style of Adams & Agesen (ASPLOS 2006, sec. 6.1, Fig. 4).

Adams & Agesen timed single operations -- a system call, a page fault, a PTE write,
an I/O access, a call/ret -- natively, under VMware's binary translator and under the
first VT-x hardware assist.  Here each operation is a bare-metal RV32 guest
(assembled by vlab.isa.asm): M-mode firmware delegates traps to S and enters a tiny
S-mode kernel, which performs the operation ``n`` times in a loop and exits via HTIF.
The same ELF runs on the bare machine (``Machine``) and in a ``VirtualMachine`` under
each CPU method of vlab/hardware/vm.py.

**What is measured.** Modeled cycles from the one Ledger (vlab/host/costs.py), not
wall clock: each guest is run twice, with ``LOW`` and ``HIGH`` iterations, and the
difference of the two ledgers divided by ``HIGH - LOW`` is the cost of one operation
(set-up, firmware and exit work cancel out).  The ledger keeps *counts* per event, so
re-pricing one event (the cost slider: ``vm_exit``) needs no new run.

**Simplified.** Only the page-fault and PTE-update guests turn paging on (one kernel
megapage; the page fault is a kernel load from an unmapped page that the kernel's
handler skips, not a demand-paging fault-in); one operation is measured, not a mix; the
costs of an exit are the cost model's, not a real processor's.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from vlab.hardware.vm import VirtualMachine
from vlab.host.costs import CostModel
from vlab.isa.asm import assemble
from vlab.isa.elf import load_elf
from vlab.isa.machine import Machine

LOW, HIGH = 20, 120          # iterations of the two runs whose difference is measured
MAX_INSTRUCTIONS = 200_000
RAM = 4 << 20
METHODS = ('bare', 'trap-emulate', 'bt', 'hw')

# M-mode firmware: S handles every trap it can; enter the S-mode kernel (s_main).
PROLOGUE = '''
.text
.globl _start
_start:
    la t0, m_trap
    csrw mtvec, t0
    li t0, 0xFFFF                  # medeleg: every exception goes to S
    csrw medeleg, t0
    la t0, s_trap
    csrw stvec, t0
    li t0, 0x1800
    csrc mstatus, t0
    li t0, 0x0800                  # MPP = S
    csrs mstatus, t0
    la t0, s_main
    csrw mepc, t0
{paging}    mret
m_trap:                            # nothing should reach M: fail with code 3
    li a0, 7
    j write_tohost
s_trap:                            # the kernel's trap handler: skip the instruction
    csrr t0, sepc
    addi t0, t0, 4
    csrw sepc, t0
    beqz s0, done                  # the last "system call": the benchmark is over
    sret
s_main:
    li s0, {n}
'''
EPILOGUE = '''
done:
    li a0, 1
write_tohost:
    la t6, tohost
    sw a0, 0(t6)
    sw zero, 4(t6)
1:  j 1b
leaf:
    ret
.data
.align 3
tohost: .word 0, 0
fromhost: .word 0, 0
.align 12
pt_root: .zero 4096
'''
# Sv32 for the kernel: one megapage, VA 0x80000000 -> PA 0x80000000 (V R W X A D, not U)
PAGING = '''    la t0, pt_root
    li t1, 0x200000CF
    li t2, 0x800                   # root index 0x200 (VA 0x80000000 >> 22) * 4
    add t2, t0, t2
    sw t1, 0(t2)
    srli t0, t0, 12
    li t1, 0x80000000              # MODE = Sv32
    or t0, t0, t1
    csrw satp, t0
'''
S_LOOP = '''
loop:
    beqz s0, done
{op}
    addi s0, s0, -1
    j loop
'''
# a system call comes from user mode: the kernel drops to U, which loops on ecall
U_LOOP = '''
    la t0, u_loop
    csrw sepc, t0
    li t0, 0x100
    csrc sstatus, t0               # SPP = U
    sret
u_loop:
    addi s0, s0, -1
    ecall                          # s_trap returns here; with s0 = 0 it ends the run
    j u_loop
'''

# map VA 0xC0000000 -> PA 0x80000000 (V R W A D) in root slot 0x300, flush, use it
PTE_UPDATE = '''    la t2, pt_root
    li t4, 0xC00
    add t4, t2, t4
    li t3, 0x200000C7
    sw t3, 0(t4)
    sfence.vma
    li t5, 0xC0000000
    lw t5, 0(t5)'''

#: operation -> (what it is, S-mode loop body or None for the user-mode syscall loop,
#: Adams & Agesen's row it corresponds to, whether the kernel runs with paging on)
OPERATIONS = {
    'syscall': ('ecall from U to the kernel and sret back', None, 'syscall', False),
    'csr write': ('csrw sscratch (a privileged register write)',
                  '    csrw sscratch, s0', 'cr8wr (a control-register write)', False),
    'MMIO read': ('a load from the CLINT timer (device memory)',
                  '    li t1, 0x0200bff8\n    lw t1, 0(t1)', 'in (an I/O-port read)', False),
    'illegal trap': ('an illegal instruction, skipped by the kernel',
                     '    .word 0xffffffff', 'divzero (a fault to the guest kernel)', False),
    'page fault': ('a load from an unmapped page, skipped by the kernel (Sv32 on)',
                   '    li t1, 0x40000000\n    lw t1, 0(t1)', 'pgfault', True),
    'PTE update': ('write a PTE, sfence.vma, load through it (Sv32 on)', PTE_UPDATE,
                   'ptemod (a guest page-table write)', True),
    'call/ret': ('jal to a leaf function and ret (no privilege involved)',
                 '    jal ra, leaf', 'call/ret', False),
}


def guest_source(operation: str, n: int) -> str:
    """The assembly of the guest doing ``operation`` ``n`` times."""
    if operation not in OPERATIONS:
        raise ValueError(f'unknown operation {operation!r}; choose one of '
                         f'{", ".join(OPERATIONS)}')
    if n < 1:
        raise ValueError(f'{n} iterations: a benchmark does its operation at least once')
    _, body, _, paging = OPERATIONS[operation]
    loop = U_LOOP if body is None else S_LOOP.format(op=body)
    return PROLOGUE.format(n=n, paging=PAGING if paging else '') + loop + EPILOGUE


@cache
def guest_image(operation: str, n: int):
    """The guest's ELF image (assembled once per operation and count)."""
    return load_elf(assemble(guest_source(operation, n), filename=f'{operation}.s').to_elf())


@dataclass(frozen=True)
class Run:
    """One run: guest instructions retired, VM exits by reason, ledger counts by event."""

    instructions: int
    exits: dict
    counts: dict


@cache
def run(operation: str, method: str, n: int) -> Run:
    """Run the ``operation`` guest ``n`` times on the bare machine or under ``method``."""
    if method not in METHODS:
        raise ValueError(f'unknown method {method!r}; choose one of {", ".join(METHODS)}')
    image = guest_image(operation, n)
    if method == 'bare':
        machine = Machine(ram_size=RAM)
        machine.load_elf(image)
        result, exits = machine.run(max_instructions=MAX_INSTRUCTIONS), {}
    else:
        vm = VirtualMachine(image, cpu=method, guest_ram=RAM)
        machine = vm.machine
        result, exits = vm.run(max_instructions=MAX_INSTRUCTIONS), vm.exits
    if result.status != 'exit' or result.exit_code != 0:
        raise RuntimeError(f'{operation} under {method} did not finish: {result.status} '
                           f'{result.message}')
    return Run(machine.hart.instret, dict(exits), dict(machine.ledger.counts))


@dataclass(frozen=True)
class OperationCost:
    """The cost of one operation under one method (differences of two runs / iterations)."""

    operation: str
    method: str
    instructions: float        # guest instructions per operation
    exits: float               # VM exits per operation
    events: dict               # ledger event -> count per operation

    def cycles(self, costs: CostModel | None = None) -> float:
        """Modeled cycles per operation, priced by ``costs`` (default: the course's)."""
        costs = costs or CostModel.default()
        return sum(count * costs.cycles_of(event) for event, count in self.events.items())


def operation_cost(operation: str, method: str) -> OperationCost:
    """Per-operation instructions, exits and ledger events (``HIGH`` run minus ``LOW``)."""
    low, high = run(operation, method, LOW), run(operation, method, HIGH)
    trips = HIGH - LOW
    events = {event: (high.counts.get(event, 0) - low.counts.get(event, 0)) / trips
              for event in set(high.counts) | set(low.counts)}
    return OperationCost(operation, method, (high.instructions - low.instructions) / trips,
                         (sum(high.exits.values()) - sum(low.exits.values())) / trips,
                         {event: count for event, count in events.items() if count})


def exits_per_kilo_instruction(operation: str, method: str) -> float:
    """VM exits per 1,000 guest instructions in the loop."""
    cost = operation_cost(operation, method)
    return 1000 * cost.exits / cost.instructions if cost.instructions else 0.0
