"""One user program on the course's C guest kernel under trap-and-emulate, paravirt and hw.

``kernel_runs()`` boots the guest kernel (vlab/hardware/guest_kernel/: the native build
for trap-and-emulate and ``hw``, the paravirtual build for ``paravirt``, Barham et al.
2003) with ``/bin/echo hi`` from the course's userland and runs it to its exit.  It keeps
the console, the guest instructions, the VM exits by reason and the modeled cycles of
the ledger (vlab/host/costs.py).  The paravirtual kernel replaces privileged
instructions and page-table writes by hypercalls (validated PTE updates batched in a
multicall), so its exits are few and named; the unmodified kernel under
trap-and-emulate exits on every privileged instruction and hidden shadow fault.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from vlab.hardware.guest_kernel.boot import boot_user_program
from vlab.os.userland.build import userland_files

METHODS = ('trap-emulate', 'paravirt', 'hw')
PROGRAM, ARGV = '/bin/echo', ['echo', 'hi']
MAX_INSTRUCTIONS = 5_000_000


@dataclass(frozen=True)
class KernelRun:
    method: str
    console: str
    exit_code: int
    instructions: int
    exits: dict
    cycles: float

    @property
    def total_exits(self) -> int:
        return sum(self.exits.values())


@cache
def kernel_run(method: str) -> KernelRun:
    """``echo hi`` on the guest kernel under ``method`` (about a second)."""
    if method not in METHODS:
        raise ValueError(f'unknown method {method!r}; choose one of {", ".join(METHODS)}')
    vm = boot_user_program(userland_files()[PROGRAM], ARGV, cpu=method)
    result = vm.run(max_instructions=MAX_INSTRUCTIONS)
    if result.status != 'exit':
        raise RuntimeError(f'the guest kernel did not finish under {method}: {result.message}')
    stats = vm.stats()
    return KernelRun(method, vm.console.decode(), result.exit_code, stats.guest_instructions,
                     dict(stats.exits), stats.total_cycles)


def kernel_rows() -> list[tuple]:
    """One row per method: output, exit code, instructions, exits, top reasons, cycles."""
    rows = []
    for method in METHODS:
        run = kernel_run(method)
        top = sorted(run.exits.items(), key=lambda item: (-item[1], item[0]))[:3]
        rows.append((method, repr(run.console), run.exit_code, f'{run.instructions:,}',
                     run.total_exits, '; '.join(f'{reason} x{count}' for reason, count in top),
                     f'{run.cycles:,.0f}'))
    return rows


KERNEL_HEADER = ('method', 'console', 'exit', 'guest instructions', 'VM exits',
                 'most frequent exits', 'modeled cycles')
