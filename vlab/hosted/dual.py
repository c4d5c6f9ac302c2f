"""Dual-mode: a guest run by the user-mode VMM ``kvm_vmm`` on the host kernel's ``/dev/kvm``.

The host is the vlab.os kernel on its own modeled machine.  ``run_dual`` boots the
user-mode half (``src/kvm_vmm.c``, built with the pinned Zig toolchain for RV32/musl as
the userland is, vlab/os/userland/build.py) as the host's first process, loads the kernel
module (``kvm_module.py``) into that kernel, hands the guest's RAM image to the VMM on its
standard input (as ``qemu -kernel`` reads a file) with the entry point and the HTIF
mailbox on its command line, and runs the host until the VMM exits with the guest's
exit code.  The guest's console bytes reach the host's standard output through the VMM's
``write(2)`` calls.
"""
from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

from vlab.hardware.vm import VmError
from vlab.isa.elf import ElfFormatError, ElfImage, load_elf
from vlab.isa.runtime import CompileError, ToolchainMissing, compile_c
from vlab.isa.runtime.build_cache import default_directory
from vlab.os.boot import boot
from vlab.os.quota import CappedOutput
from vlab.os.vfs.devfs import Console, make_devfs
from vlab.os.vfs.namei import FsContext, lookup

from .kvm_module import MIN_GUEST_RAM, RAM_BASE, KvmModule, load_kvm_module

SOURCE = Path(__file__).resolve().parent / 'src' / 'kvm_vmm.c'
HOST_RAM = 8 << 20
MAX_IMAGE = MIN_GUEST_RAM                      # the VMM's image buffer (kvm_vmm.c)


class DualModeError(VmError):
    """The dual-mode hypervisor cannot run this guest (the message says why)."""


def build_vmm() -> Path:
    """The user-mode VMM as an RV32 Linux-ABI executable (built once, then cached)."""
    out = default_directory() / 'hosted' / 'kvm_vmm.elf'
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        return compile_c([SOURCE], out, libc='musl', extra_flags=['-Os'])
    except (CompileError, ToolchainMissing) as exc:
        raise DualModeError(f'cannot build the user-mode VMM {SOURCE.name}: {exc}') from None


def guest_image(guest) -> ElfImage:
    """The guest as an ElfImage (from a path or an image); a bad file is a clear error."""
    if isinstance(guest, ElfImage):
        return guest
    try:
        return load_elf(guest)
    except (ElfFormatError, OSError) as exc:
        raise DualModeError(f'cannot load the guest: {exc}') from None


def ram_image(image) -> bytes:
    """The guest's RAM from 0x80000000 to the end of its last segment (objcopy -O binary)."""
    end = max((s.vaddr + s.memsz for s in image.segments), default=RAM_BASE)
    if any(s.vaddr < RAM_BASE for s in image.segments) or end - RAM_BASE > MAX_IMAGE:
        raise DualModeError(f'the guest must lie in [{RAM_BASE:#x}, '
                            f'{RAM_BASE + MAX_IMAGE:#x}) for the dual-mode VMM')
    ram = bytearray(end - RAM_BASE)
    for s in image.segments:
        ram[s.vaddr - RAM_BASE:s.vaddr - RAM_BASE + len(s.data)] = s.data
    return bytes(ram)


@dataclass
class DualRun:
    """A finished dual-mode run: the host's result, the VMM's output, the module."""

    result: object          # the host machine's RunResult (exit_code: the VMM's status)
    stdout: bytes
    stderr: bytes
    module: KvmModule
    host: object            # the host Machine (its ledger holds host and guest counts)


def run_dual(guest, engine: str = 'interp', max_host_instructions: int = 20_000_000,
             guest_budget: int = 5_000_000) -> DualRun:
    """Run ``guest`` (a bare-metal ELF path or image) under the dual-mode hypervisor."""
    image = guest_image(guest)
    if image.tohost is None:
        raise DualModeError('the guest has no HTIF tohost symbol: the dual-mode VMM '
                            'prints and exits through the HTIF mailbox')
    raw = ram_image(image)
    argv = ['kvm_vmm', f'{image.entry:x}', f'{image.tohost:x}', f'{image.fromhost or 0:x}']
    out, err = CappedOutput(), CappedOutput()
    with tempfile.TemporaryDirectory(prefix='vlab-dual-') as root:
        Path(root, 'dev').mkdir()
        booted = boot(build_vmm(), mode='user', engine=engine, argv=argv,
                      stdin=io.BytesIO(raw), stdout=out, stderr=err, ram_size=HOST_RAM,
                      root=root)
        mount_devfs(booted.kernel.root_ns.mnt, Console(None, out, err))
        module = load_kvm_module(booted.kernel, engine=engine, guest_budget=guest_budget)
        result = booted.machine.run(max_instructions=max_host_instructions)
    return DualRun(result, out.getvalue(), err.getvalue(), module, booted.machine)


def mount_devfs(ns, console: Console) -> None:
    """Mount a devtmpfs on the host root's ``/dev`` (the proxy kernel mounts none)."""
    where = lookup(FsContext(ns.root()), ns.root(), '/dev')
    ns.mount(make_devfs(console), where, source='devtmpfs')
