"""Run a guest C program that uses the accelerator, over any transport.

``build_accel_program(source, out)`` compiles a program against ``include/cuda.h`` and
the front end ``programs/cuda_front.c`` (static musl, the pinned zig);
``run_accel_program(elf, transport='vm')`` boots it on the host kernel with a
``/dev/accel0`` whose ioctls go to a fresh device over the chosen transport, and
returns the run and the ledger.  Simplified: for 'vm' and 'network' the program runs
on the host kernel and the *channel* is the VM's or the network's (its costs are
charged); the guest kernel inside a hypervisor is not modeled here.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

from vlab.isa.runtime.driver import compile_c
from vlab.os.boot import boot
from vlab.os.quota import CappedOutput

from .backend import Backend
from .device import Accelerator
from .driver import attach_accel
from .transport import TRANSPORTS

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE / "programs"              # saxpy.c and the front end cuda_front.c
FRONT_END = PROGRAMS / "cuda_front.c"


def build_accel_program(sources, out) -> Path:
    sources = [sources] if isinstance(sources, (str, Path)) else list(sources)
    return compile_c([*sources, FRONT_END], out, libc="musl",
                     extra_flags=[f"-I{HERE / 'include'}"])


@dataclass
class AccelRun:
    result: object           # the machine's RunResult (status, exit_code, message)
    stdout: bytes
    stderr: bytes
    ledger: object
    channel: object          # the transport: its calls and bytes

    @property
    def exit_code(self):
        return self.result.exit_code


def run_accel_program(program, transport: str = "native", root=None,
                      max_instructions: int = 20_000_000) -> AccelRun:
    """Run ``program`` with a /dev/accel0 over ``transport``."""
    if transport not in TRANSPORTS:
        raise ValueError(f"unknown transport {transport!r}: choose one of "
                         f"{', '.join(TRANSPORTS)}")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(root) if root is not None else Path(scratch)
        (root / "dev").mkdir(exist_ok=True)
        out, err = CappedOutput(), CappedOutput()
        booted = boot(program, mode="user", stdin=io.BytesIO(), stdout=out, stderr=err,
                      root=root)
        ledger = booted.machine.ledger
        channel = TRANSPORTS[transport](Backend(Accelerator(ledger=ledger)),
                                        kernel_entry=False)
        attach_accel(booted.kernel, booted.kernel.current, channel)
        result = booted.machine.run(max_instructions=max_instructions)
    return AccelRun(result, out.getvalue(), err.getvalue(), ledger, channel)
