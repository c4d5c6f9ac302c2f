"""A system call inside a container costs what it costs outside (Felter et al. 2014).

The same program -- ``getpid`` in a loop, N times, in RV32 assembly -- runs twice on
vlab's kernel: as the first process of a freshly booted machine in the root namespaces
(the "native" case), and as PID 1 of a container (new namespaces, a cgroup, an overlay
root).  The ledger counts every event of each run.  The difference between N = 2000
and N = 1000 is the price of 1000 calls, with everything that happens once (loading
the program, starting the container) cancelled out.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from vlab.isa.asm import assemble
from vlab.isa.elf import load_elf
from vlab.lab.oslevel.containers import Lab
from vlab.os.boot import run_program
from vlab.os.fs import ImageLayer
from vlab.os.unistd import NUMBERS

CALLS = (1000, 2000)


def loop_elf(calls: int) -> bytes:
    """An RV32 program making ``calls`` getpid system calls, then exit_group(0)."""
    return assemble(f"""
_start:
    li s0, {calls}
again:
    li a7, {NUMBERS["getpid"]}
    ecall
    addi s0, s0, -1
    bnez s0, again
    li a0, 0
    li a7, {NUMBERS["exit_group"]}
    ecall
""", text_base=0x1_0000).to_elf()


def _native(calls: int) -> dict[str, int]:
    done = run_program(load_elf(loop_elf(calls)), paging=True)
    if done.exit_code != 0:
        raise RuntimeError(f"the native loop ended with {done.result}")
    return {**done.booted.machine.ledger.counts,
            "cycles": done.booted.machine.ledger.total_cycles}


def _contained(calls: int) -> dict[str, int]:
    lab = Lab()
    container = lab.start("loop", ["/bin/loop"], image=ImageLayer({"/bin/loop": loop_elf(calls)}))
    lab.run(10_000_000)
    if container.run.outcome(lab.host).exit_code != 0:
        raise RuntimeError("the loop in the container did not exit 0")
    return {**lab.machine.ledger.counts, "cycles": lab.machine.ledger.total_cycles}


@dataclass(frozen=True)
class CallCost:
    """Events and cycles of 1000 more calls, native and in a container."""

    native: dict[str, int]
    container: dict[str, int]

    def per_call(self, where: str) -> float:
        return getattr(self, where)["cycles"] / (CALLS[1] - CALLS[0])


@functools.cache
def call_cost() -> CallCost:
    """Model: run the loop with both N, natively and in a container; the differences."""
    def delta(run) -> dict[str, int]:
        low, high = run(CALLS[0]), run(CALLS[1])
        return {k: high.get(k, 0) - low.get(k, 0) for k in high if high.get(k, 0) !=
                low.get(k, 0)}
    return CallCost(delta(_native), delta(_contained))
