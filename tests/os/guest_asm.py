"""Small guest programs for the kernel tests, in RV32 assembly: a ``call`` helper that
writes the instructions of one system call (numbers by name from ``unistd.py``), and
``run`` that boots a program as the first process of a kernel with Sv32 paging."""
from __future__ import annotations

import io
from dataclasses import dataclass

from vlab.isa.asm import assemble
from vlab.isa.elf import load_elf
from vlab.os.boot import boot
from vlab.os.syscall import NUMBERS

TEXT_BASE = 0x1_0000
ARG_REGS = ("a0", "a1", "a2", "a3", "a4", "a5")


def call(name: str, *args) -> str:
    """The lines of one system call: ints by ``li``, labels by ``la``, registers by
    ``mv`` (written as 'reg:s0')."""
    lines = []
    for register, arg in zip(ARG_REGS[:len(args)], args, strict=True):
        if isinstance(arg, int):
            lines.append(f"    li {register}, {arg}")
        elif arg.startswith("reg:"):
            lines.append(f"    mv {register}, {arg[4:]}")
        else:
            lines.append(f"    la {register}, {arg}")
    lines += [f"    li a7, {NUMBERS[name]}", "    ecall"]
    return "\n".join(lines) + "\n"


def image(source: str):
    return load_elf(assemble(source, text_base=TEXT_BASE).to_elf())


def elf_bytes(source: str) -> bytes:
    return assemble(source, text_base=TEXT_BASE).to_elf()


@dataclass
class Run:
    booted: object
    result: object
    stdout: bytes

    @property
    def kernel(self):
        return self.booted.kernel


def run(source: str, max_instructions: int = 3_000_000, **boot_args) -> Run:
    out = io.BytesIO()
    boot_args.setdefault("stdin", io.BytesIO())
    boot_args.setdefault("stderr", io.BytesIO())
    booted = boot(image(source), mode="user", paging=True, stdout=out, **boot_args)
    result = booted.machine.run(max_instructions=max_instructions)
    return Run(booted, result, out.getvalue())
