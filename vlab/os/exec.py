"""exec: load a user program -- segments, heap, stack and the initial stack contents.

Like xv6's kernel/exec.c (and Linux's fs/binfmt_elf.c): each ELF segment is mapped into a
new address space (``vm.py``) and copied there, then a stack is built.

Memory layout (low to high) of a user process:

    ELF segments (text R-X, data RW-, .bss zeroed) | heap (brk, grows up) ... | stack

* *Paging off* (``FlatSpace``): the segments sit at their link addresses in RAM (the
  runtime's ``user.ld`` links at 0x80400000); the stack ends at the top of RAM.
* *Sv32* (``Sv32Space``): the same virtual addresses are mapped page by page to frames;
  the stack ends at ``SV32_STACK_TOP`` (0xC0000000, Linux's classic 3 GiB user limit).

The heap starts at the first page after the highest segment and may grow up to
``HEAP_MAX`` (never into the stack).  The stack is ``STACK_SIZE`` bytes, mapped eagerly.

Initial stack (RISC-V Linux ABI = System V ABI "Process Initialization", as the Linux
kernel's ``create_elf_tables`` builds it), ``sp`` 16-byte aligned, pointing at argc:

    sp -> argc, argv[0..argc-1], NULL, envp[0..], NULL, auxv (type, value)..., AT_NULL
          ... 16 AT_RANDOM bytes, the argument and environment strings ... stack top

auxv: AT_PHDR, AT_PHENT, AT_PHNUM (when the program headers are loaded with the first
segment, as linkers lay out static executables: musl finds its PT_TLS segment through
them, so ``__thread`` variables get their initial values), AT_PAGESZ, AT_ENTRY,
AT_RANDOM (fixed bytes: deterministic), AT_NULL.

Under the multi-process kernel the space is an ``AddressSpace`` (``aspace.py``: pages on
demand, copy-on-write fork) on the kernel's frames; the heap is the space's own
(``set_heap``), and one more page is mapped read-execute at ``VDSO_VA``: the signal
return trampoline (``sigframe.py``), where Linux has its vDSO.  ``execve`` reads the
program through the process's VFS (``read_executable``).

Arguments and environment strings are bytes to the guest: a ``str`` is encoded as the
host encodes file names (``os.fsencode``), so a non-UTF-8 argument given on the command
line reaches the program byte for byte.  Together with their pointers they may take at
most ``ARG_MAX`` bytes, a quarter of the stack (Linux's rule: a quarter of the stack
rlimit, ``fs/exec.c``); more is refused (E2BIG) rather than written below the stack.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

from vlab.isa.elf import ElfFormatError, load_elf

from .errno import E2BIG, EACCES, ENOENT, ENOEXEC, ENOMEM, SyscallError
from .sigframe import TRAMPOLINE
from .vfs.namei import lookup
from .vm import PAGE, FlatSpace, Sv32Space, page_up

STACK_SIZE = 1 << 20
ARG_MAX = STACK_SIZE // 4
HEAP_MAX = 32 << 20
SV32_STACK_TOP = 0xC000_0000
AT_NULL, AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_ENTRY, AT_RANDOM = 0, 3, 4, 5, 6, 9, 25
ELF_MAGIC = b"\x7fELF"
RANDOM_BYTES = bytes(range(16))  # AT_RANDOM: fixed so runs are reproducible
VDSO_VA = SV32_STACK_TOP - (8 << 20)   # the trampoline: above the mmap area, below the stack
KERNEL_PAGE = PAGE               # RAM the kernel keeps for itself when paging is on
MAX_PROGRAM = 64 << 20           # bytes execve reads at most
READ_CHUNK = 1 << 20
O_RDONLY = 0


class LoadError(ValueError):
    """The program cannot be placed in this address space; the message says why."""


@dataclass
class UserImage:
    """Where a loaded user program lives: what the kernel and the hart need to start it."""

    space: FlatSpace | Sv32Space
    entry: int
    sp: int
    brk_start: int
    brk_limit: int
    stack_top: int


def load_user_program(image, bus, paging: bool = False, argv=("program",),
                      envp=(), frames=None) -> UserImage:
    """Copy ``image``'s (an ElfImage) segments into a new address space on ``bus`` and
    build the initial stack.  ``paging`` chooses Sv32 (True) or physical addressing;
    with ``frames`` (the kernel's FrameAllocator) the Sv32 space is an AddressSpace."""
    if paging:
        if frames is not None:
            from .aspace import AddressSpace
            return load_into(image, AddressSpace(frames), SV32_STACK_TOP, argv, envp)
        space = Sv32Space(bus, frame_base=bus.ram.base + KERNEL_PAGE)
        return load_into(image, space, SV32_STACK_TOP, argv, envp)
    return load_into(image, FlatSpace(bus), bus.ram.base + bus.ram.size, argv, envp)


def load_into(image, space, stack_top: int, argv=("program",), envp=()) -> UserImage:
    """Load into any address space (ours, or unicorn's in the lockstep tests)."""
    end = 0
    for segment in image.segments:
        _check_segment(segment, space, stack_top)
        space.map(segment.vaddr, segment.memsz, readable=segment.readable,
                  writable=segment.writable, executable=segment.executable)
        space.load(segment.vaddr, segment.data)
        end = max(end, segment.vaddr + segment.memsz)
    stack_bottom = stack_top - STACK_SIZE
    paged_space = hasattr(space, "set_heap")          # an AddressSpace (aspace.py)
    if paged_space:
        space.map(stack_bottom, STACK_SIZE, readable=True, writable=True, kind="stack")
    else:
        space.map(stack_bottom, STACK_SIZE, readable=True, writable=True)
    brk_start = page_up(end)
    brk_limit = min(brk_start + HEAP_MAX, stack_bottom - PAGE)
    if paged_space:
        space.set_heap(brk_start, brk_limit)
    if not isinstance(space, FlatSpace) and stack_top == SV32_STACK_TOP:
        map_trampoline(space)
    sp = build_initial_stack(space, stack_top, list(argv), list(envp), image.entry,
                             program_headers(image))
    return UserImage(space, image.entry, sp, brk_start, brk_limit, stack_top)


def _check_segment(segment, space, stack_top: int) -> None:
    where = f"segment [{segment.vaddr:#x}, {segment.vaddr + segment.memsz:#x})"
    if segment.vaddr + segment.memsz > stack_top - STACK_SIZE:
        raise LoadError(f"{where} overlaps the stack (which ends at {stack_top:#x})")
    if isinstance(space, FlatSpace) and segment.vaddr < space.low:
        raise LoadError(f"{where} is not in user RAM [{space.low:#x}, {space.high:#x}): "
                        "with paging off a user program must be linked there (use the vlab "
                        "runtime's user.ld), or run it with Sv32 paging on")


def program_headers(image) -> tuple[int, int, int] | None:
    """(address, entry size, count) of the program headers in the loaded image, if a
    segment starts with the ELF header (file offset 0) and holds them; else None."""
    for segment in image.segments:
        data = segment.data
        if data[:4] == ELF_MAGIC and len(data) >= 52:
            (phoff,) = struct.unpack_from("<I", data, 28)
            phentsize, phnum = struct.unpack_from("<HH", data, 42)
            if phnum and phoff + phentsize * phnum <= len(data):
                return segment.vaddr + phoff, phentsize, phnum
    return None


def build_initial_stack(space, stack_top: int, argv: list[str], envp: list[str],
                        entry: int, phdrs: tuple[int, int, int] | None = None) -> int:
    """Write argc/argv/envp/auxv below ``stack_top``; return the initial sp."""
    strings = [(os.fsencode(text) if isinstance(text, str) else bytes(text)) + b"\0"
               for text in argv + envp]
    size = sum(len(data) for data in strings) + 4 * (len(strings) + 2)
    if size > ARG_MAX:
        raise LoadError(f"the arguments and environment take {size} bytes; at most ARG_MAX "
                        f"= {ARG_MAX} fit (a quarter of the {STACK_SIZE >> 20} MiB stack, "
                        "as in Linux: E2BIG): pass large data in a file instead")
    top = stack_top
    pointers = []
    for data in strings:                           # strings at the very top
        top -= len(data)
        space.write(top, data)
        pointers.append(top)
    top = (top - len(RANDOM_BYTES)) & ~15
    random_at = top
    space.write(random_at, RANDOM_BYTES)
    argv_ptrs, envp_ptrs = pointers[:len(argv)], pointers[len(argv):]
    auxv = [AT_PAGESZ, PAGE, AT_ENTRY, entry, AT_RANDOM, random_at, AT_NULL, 0]
    if phdrs is not None:
        auxv = [AT_PHDR, phdrs[0], AT_PHENT, phdrs[1], AT_PHNUM, phdrs[2], *auxv]
    words = [len(argv), *argv_ptrs, 0, *envp_ptrs, 0, *auxv]
    sp = (top - 4 * len(words)) & ~15
    space.write(sp, struct.pack(f"<{len(words)}I", *words))
    return sp


def map_trampoline(space) -> None:
    """The signal-return trampoline page at ``VDSO_VA``, read-execute (``sigframe.py``)."""
    if hasattr(space, "set_heap"):
        space.map(VDSO_VA, PAGE, readable=True, writable=False, executable=True,
                  kind="vdso")
    else:
        space.map(VDSO_VA, PAGE, readable=True, writable=False, executable=True)
    space.load(VDSO_VA, TRAMPOLINE)


def read_executable(proc, path: str) -> bytes:
    """The bytes of the program file ``path`` as ``proc`` names it, through its VFS
    context (``proc.fs``; or its descriptor table's, for a process made without one).
    EACCES for a directory or a file without an execute bit, ENOMEM past
    ``MAX_PROGRAM`` bytes."""
    fs = proc.fs
    if fs is None and hasattr(proc.files, "context"):
        fs = proc.files.context(proc.cwd)
    if fs is None:
        raise SyscallError(ENOENT, f"{path}: the process has no file system")
    location = lookup(fs, fs.cwd, path)
    inode = location.inode
    if not inode.is_regular() or not inode.mode & 0o111:
        raise SyscallError(EACCES, f"{path}: not an executable regular file")
    if inode.size > MAX_PROGRAM:
        raise SyscallError(ENOMEM, f"{path}: larger than {MAX_PROGRAM >> 20} MiB")
    file = inode.open(O_RDONLY, location)        # the open-file protocol of the VFS
    try:
        pieces, size = [], 0
        while size <= MAX_PROGRAM:
            piece = file.read(READ_CHUNK)
            if not piece:
                return b"".join(pieces)
            pieces.append(piece)
            size += len(piece)
    finally:
        file.close()
    raise SyscallError(ENOMEM, f"{path}: larger than {MAX_PROGRAM >> 20} MiB")


def parse_executable(data: bytes, path: str):
    """An ElfImage, or ENOEXEC naming what is wrong with the file."""
    try:
        return load_elf(data)
    except ElfFormatError as exc:
        raise SyscallError(ENOEXEC, f"{path}: not an RV32 ELF executable ({exc})") from None


def load_for_exec(image, space, argv, envp) -> UserImage:
    """load_into with its errors as errno: E2BIG for too many arguments, ENOMEM."""
    try:
        return load_into(image, space, SV32_STACK_TOP, argv, envp)
    except LoadError as exc:
        errno = E2BIG if "ARG_MAX" in str(exc) else ENOEXEC
        raise SyscallError(errno, str(exc)) from None
