"""Boot the guest kernel in a VM with a user program: the loader's half of the boot protocol.

The loader (this module, playing the part of a boot loader or of Xen's domain builder)
puts two things at the top of guest RAM before the kernel's first instruction:

* the user program's ELF bytes, page aligned;
* above them the **boot block** (``struct bootinfo`` in kernel.h): magic ``VLBT``, version
  1, guest RAM base and size, the ELF's guest-physical address and size, argc, envc, the
  strings' size, then argv and envp as NUL-terminated strings.

and starts the kernel with ``a0`` = hart id (0) and ``a1`` = the boot block's address (the
register in which Linux's boot protocol passes the device tree).
"""
from __future__ import annotations

import struct
from pathlib import Path

from vlab.hardware.vm import VirtualMachine, VmError

from .build import build_kernel

BOOT_MAGIC = 0x54424C56
BOOT_VERSION = 1
PAGE = 4096
FLAVOUR_OF_CPU = {'paravirt': 'paravirt'}          # every other method: the native build
KERNEL_RESERVED = 8 << 20       # the kernel's megapage and the first page tables


def boot_block(ram_base: int, ram_size: int, elf_pa: int, elf_size: int,
               argv: list[str], envp: list[str]) -> bytes:
    strings = b''.join(s.encode() + b'\0' for s in [*argv, *envp])
    return struct.pack('<9I', BOOT_MAGIC, BOOT_VERSION, ram_base, ram_size, elf_pa,
                       elf_size, len(argv), len(envp), len(strings)) + strings


def guest_layout(base: int, size: int, elf: bytes, program, argv, envp):
    """Where the boot block and the ELF go at the top of RAM [base, base + size):
    (block address, ELF address, the block's bytes); VmError if they do not fit."""
    argv = list(argv) if argv else [Path(str(program)).name if not isinstance(program, bytes)
                                    else 'program']
    block = boot_block(base, size, 0, len(elf), argv, list(envp or []))
    block_pa = (base + size - len(block)) & ~(PAGE - 1)
    elf_pa = (block_pa - len(elf)) & ~(PAGE - 1)
    if elf_pa < base + KERNEL_RESERVED:
        raise VmError(f'the user program ({len(elf)} bytes) does not fit in guest RAM '
                      f'of {size:#x} bytes beside the kernel')
    return block_pa, elf_pa, boot_block(base, size, elf_pa, len(elf), argv, list(envp or []))


def boot_user_program(program, argv: list[str] | None = None, envp: list[str] | None = None,
                      cpu: str = 'hw', **vm_options) -> VirtualMachine:
    """A VM running the guest kernel (the build for ``cpu``) with ``program`` (a path to a
    static RV32 Linux-ABI ELF, or its bytes) loaded; ``vm.run()`` runs it."""
    try:
        elf = program if isinstance(program, bytes) else Path(program).read_bytes()
    except OSError as exc:
        raise VmError(f'cannot read the user program: {exc}') from None
    if elf[:4] != b'\x7fELF':
        raise VmError(f'{program}: not an ELF file (the guest kernel runs static RV32 '
                      'Linux-ABI executables)')
    kernel = build_kernel(FLAVOUR_OF_CPU.get(cpu, 'native'))
    vm = VirtualMachine(kernel, cpu=cpu, entry='S', **vm_options)
    block_pa, elf_pa, block = guest_layout(vm.memory.base, vm.memory.size, elf, program,
                                           argv, envp)
    vm.memory.bus.write_bytes(elf_pa, elf)
    vm.memory.bus.write_bytes(block_pa, block)
    hart = vm.machine.hart
    hart.x[10], hart.x[11] = 0, block_pa
    return vm


__all__ = ['BOOT_MAGIC', 'boot_block', 'boot_user_program', 'guest_layout']
