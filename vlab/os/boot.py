"""Boot a program on a Machine: bare-metal in M-mode, or a user program under the kernel
-- the decision ``vlab run`` makes.

The mode rule, unless the caller forces one:

* an ELF with a ``tohost`` symbol, or linked into RAM at 0x80000000 (entry or a segment
  there), is a **bare-metal** program: loaded at its addresses, started in M-mode at its
  entry, HTIF attached at ``tohost`` (its exit code ends the run);
* any other static ELF is a **user** program: loaded by the kernel (``exec.py``) as a
  process, started in U-mode with a Linux-style initial stack, its ecalls served as system
  calls (``trap.py``).  Paging is off when the program lies in user RAM (the runtime's
  ``user.ld``), else Sv32 maps it (e.g. GCC's default link address 0x10000);
  ``paging=True`` forces Sv32.

An assembly source (any file that is not ELF but is text) is assembled first
(vlab.isa.asm).  One that defines ``tohost`` (or is forced ``mode='bare'``) is linked at
0x80000000 and boots bare-metal; any other is a user program, linked at the user base
0x80400000 of the runtime's ``user.ld`` -- so a Linux-style hello world (``write`` and
``exit`` through ``ecall``) runs as it would under Linux.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from vlab.isa.asm import AssemblyError, assemble
from vlab.isa.elf import ElfFormatError, ElfImage, InputFileError, load_elf, read_input
from vlab.isa.machine import Machine

from .errno import SyscallError
from .exec import LoadError
from .quota import DEFAULT_WRITE_QUOTA, CappedOutput
from .trap import start_user_program
from .vm import KERNEL_AREA

USER_TEXT_BASE = 0x8040_0000   # RAM base + KERNEL_AREA: where user.ld links user programs

MODES = ("bare", "user")
ELF_MAGIC = b"\x7fELF"
ELF_SUFFIXES = (".elf", ".o", ".out")


class BootError(ValueError):
    """The program cannot be booted; the message says why and how to fix it."""


@dataclass
class Booted:
    """A machine with a program loaded and ready to ``run()``."""

    machine: object
    mode: str              # 'bare' or 'user'
    image: ElfImage
    kernel: object = None  # the Kernel running a user program
    paging: bool = False

    @property
    def process(self):
        """The user program's Process (None for a bare-metal program)."""
        if self.kernel is None:
            return None
        return self.kernel.init if self.kernel.init is not None else self.kernel.current

    def describe(self, address: int) -> str:
        """``0x80400010 <main+0x10>`` for messages."""
        return f"{address:#010x} <{self.image.describe(address)}>"


def detect_mode(image: ElfImage) -> str:
    """'bare' or 'user', by the rule in the module docstring."""
    return "bare" if image.is_bare_metal() else "user"


def read_program(path, mode: str | None = None) -> ElfImage:
    """An ElfImage from an ELF file, or from an assembly file (assembled first, at the
    base the mode rule of the module docstring gives)."""
    try:
        data = read_input(path, what="program file")    # capped: /dev/zero is refused
    except InputFileError as exc:
        raise BootError(str(exc)) from None
    if data.startswith(ELF_MAGIC) or Path(path).suffix in ELF_SUFFIXES:
        return _load(data)                # a file named .elf must be ELF: say what's wrong
    if Path(path).suffix in (".c", ".h"):
        raise BootError(f"{os.fspath(path)} is C source: compile it first, e.g. "
                        "python -c \"from vlab.isa.runtime import compile_c; "
                        f"compile_c(['{os.fspath(path)}'], 'a.elf')\"")
    if b"\0" in data:            # text has no NUL bytes; raw bytes elsewhere are kept
        raise BootError(f"{os.fspath(path)}: neither an ELF file nor an assembly source "
                        "(text): give an RV32 ELF executable or a .s file")
    source = data.decode("utf-8", errors="surrogateescape")   # as GNU as: bytes pass through
    try:
        program = assemble(source, filename=os.fspath(path))
        if mode == "user" or (mode is None and "tohost" not in program.symbols):
            program = assemble(source, filename=os.fspath(path), text_base=USER_TEXT_BASE)
    except AssemblyError as exc:
        raise BootError(str(exc)) from None
    return _load(program.to_elf())


def _load(data: bytes) -> ElfImage:
    try:
        return load_elf(data)
    except ElfFormatError as exc:
        raise BootError(str(exc)) from None


def needs_paging(image: ElfImage, ram_base: int, ram_size: int) -> bool:
    """Can the program run with paging off, i.e. does it lie in user RAM?"""
    low, high = ram_base + KERNEL_AREA, ram_base + ram_size
    return not all(low <= s.vaddr and s.vaddr + s.memsz <= high for s in image.segments)


def boot(program, mode: str | None = None, engine: str = "interp", paging: bool | None = None,
         argv=None, envp=(), stdin=None, stdout=None, stderr=None, root=None,
         write_quota: int = DEFAULT_WRITE_QUOTA, root_cgroup=None, **machine_args) -> Booted:
    """Load ``program`` (a path, or an ElfImage) on a new Machine, ready to run.

    ``mode`` None decides from the file (detect_mode); ``paging`` None decides from the
    layout (needs_paging); the other arguments go to the kernel (argv, envp, the
    stdio streams, the sandbox root and its write quota, the root cgroup of the kernel) and
    to the Machine (ram_size, costs...).
    """
    image = program if isinstance(program, ElfImage) else read_program(program, mode)
    mode = mode or detect_mode(image)
    if mode not in MODES:
        raise BootError(f"unknown mode {mode!r}: use 'bare' or 'user'")
    machine = Machine(engine=engine, **machine_args)
    if mode == "bare":
        _load_bare(machine, image)
        return Booted(machine, mode, image)
    if paging is None:
        paging = needs_paging(image, machine.ram.base, machine.ram.size)
    name = os.path.basename(os.fspath(program)) if not isinstance(program, ElfImage) else "a.out"
    try:
        kernel = start_user_program(machine, image, paging=paging,
                                    argv=list(argv or [name]), envp=envp, stdin=stdin,
                                    stdout=stdout, stderr=stderr, root=root,
                                    write_quota=write_quota, root_cgroup=root_cgroup)
    except LoadError as exc:
        raise BootError(f"cannot load the user program: {exc}") from None
    except SyscallError as exc:    # e.g. out of frames, or a segment past the end of RAM
        raise BootError(f"cannot load the user program: {exc.why}") from None
    return Booted(machine, mode, image, kernel, paging)


def _load_bare(machine, image: ElfImage) -> None:
    ram = machine.ram
    for segment in image.segments:
        if not (ram.base <= segment.vaddr and segment.vaddr + segment.memsz <= ram.base
                + ram.size):
            raise BootError(f"bare-metal segment [{segment.vaddr:#x}, "
                            f"{segment.vaddr + segment.memsz:#x}) is outside RAM "
                            f"[{ram.base:#x}, {ram.base + ram.size:#x}): link it at "
                            "0x80000000 (the runtime's bare.ld) or run it with --mode user")
    try:
        machine.load_elf(image)
    except ValueError as exc:   # e.g. tohost not in RAM
        raise BootError(str(exc)) from None


@dataclass
class Completed:
    """What ``run_program`` returns: why the run stopped and what the program printed."""

    booted: Booted
    result: object          # the machine's RunResult
    stdout: bytes           # user: fd 1; bare: the HTIF and UART console
    stderr: bytes

    @property
    def exit_code(self) -> int | None:
        return self.result.exit_code


def run_program(program, stdin: bytes = b"", max_instructions: int = 50_000_000,
                **boot_args) -> Completed:
    """Boot and run ``program`` with captured stdio (for notebooks and tests)::

        done = run_program("hello.elf")
        done.stdout, done.exit_code, done.booted.machine.ledger.table()

    stdout and stderr are kept in memory up to ``DEFAULT_OUTPUT_CAP`` bytes each
    (``quota.py``); a write past it fails with -EFBIG.
    """
    import io
    out, err = CappedOutput(), CappedOutput()       # a flooding guest gets -EFBIG
    booted = boot(program, stdin=io.BytesIO(stdin), stdout=out, stderr=err, **boot_args)
    result = booted.machine.run(max_instructions=max_instructions)
    if booted.mode == "bare":
        try:
            out.write(booted.machine.platform.console_output())
        except OSError:                  # past the cap: what fits is kept
            pass
    return Completed(booted, result, out.getvalue(), err.getvalue())
