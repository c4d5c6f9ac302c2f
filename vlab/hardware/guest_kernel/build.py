"""Build the teaching guest kernel (this directory's C and assembly) with the pinned zig.

Two flavours of the same sources (``FLAVOURS``): ``native`` (privileged instructions; runs
under the ``hw`` and ``trap-emulate`` VMMs and on the bare machine's SBI firmware) and
``paravirt`` (``-DPARAVIRT``: hypercalls instead, for vlab/hardware/paravirt_vmm.py).

Built on demand, like the userland (vlab/os/userland/build.py): the runtime's content-hash
build cache (vlab/isa/runtime/build_cache.py) keys an image by the compiler's version, the
flags and every source's bytes, so a second build is a copy.  The command::

    zig cc -target riscv32-freestanding-none -mcpu=generic_rv32+m+a -mabi=ilp32 \\
        -nostdlib -static -O2 -ffreestanding -Wall [-DPARAVIRT] -T kernel.ld *.c entry.S
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from vlab.isa.runtime import BuildCache, CompileError, ToolchainMissing, toolchain
from vlab.isa.runtime.build_cache import build_key
from vlab.isa.runtime.toolchains import COMMON_FLAGS

SOURCE_DIR = Path(__file__).resolve().parent
LINKER_SCRIPT = SOURCE_DIR / 'kernel.ld'
FLAVOURS = {'native': (), 'paravirt': ('-DPARAVIRT',)}


def sources() -> list[Path]:
    """The kernel's sources, in a fixed order (entry.S first: _start leads the image)."""
    return [SOURCE_DIR / 'entry.S', *sorted(SOURCE_DIR.glob('*.c'))]


def command(flavour: str, out: Path) -> list[str]:
    chain = toolchain('zig')
    driver = chain.locate()
    if driver is None:
        raise ToolchainMissing(chain.install_hint)
    return [*driver, *chain.target_flags, *COMMON_FLAGS, *FLAVOURS[flavour],
            '-fno-stack-protector', f'-T{LINKER_SCRIPT}', '-o', os.fspath(out),
            *map(os.fspath, sources())]


def build_kernel(flavour: str = 'native', cache: BuildCache | None = None) -> Path:
    """The kernel image of ``flavour`` (a path in the build cache); CompileError if the
    sources do not compile, ToolchainMissing without zig."""
    if flavour not in FLAVOURS:
        raise ValueError(f'guest kernel flavour {flavour!r}: use one of {sorted(FLAVOURS)}')
    store = cache or BuildCache()
    chain = toolchain('zig')
    inputs = [*sources(), LINKER_SCRIPT, *sorted(SOURCE_DIR.glob('*.h'))]
    key = build_key(chain.identify(), ['guest-kernel', *FLAVOURS[flavour]], inputs)
    image = store.entry(key)
    if image.exists():
        return image
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / 'kernel.elf'
        cmd = command(flavour, out)
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise CompileError(result.stderr or result.stdout, cmd, result.returncode)
        store.directory.mkdir(parents=True, exist_ok=True)
        store.store(key, out, result.stderr)
    return image


__all__ = ['FLAVOURS', 'SOURCE_DIR', 'build_kernel', 'command', 'sources']
