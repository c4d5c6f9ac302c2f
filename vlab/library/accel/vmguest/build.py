"""Build an accelerator program two ways from one C source.

* ``build_vm_program(source, out)``: a bare-metal guest (the whole VM's software, pinned
  zig, vlab/isa/runtime/driver.py ``mode='bare'``) linked with ``vcuda_virtio.c``, the
  front end that sends each cuda.h call over the accelerator's virtio queue.
* ``build_native_program(source, out)``: the same source as a static musl program for the
  host kernel, linked with the ``/dev/accel0`` front end (``vlab.library.accel.guest``).

The programs of ``programs/`` include ``portable.h``, which picks the C library by
``-DVLAB_BARE``, so their output is byte for byte the same on both paths.
"""

from __future__ import annotations

from pathlib import Path

from vlab.isa.runtime.driver import compile_c

from ..guest import FRONT_END as DEVICE_FRONT_END

HERE = Path(__file__).resolve().parent
FRONT_END = HERE / "vcuda_virtio.c"
PROGRAMS = HERE / "programs"
INCLUDE = HERE.parent / "include"           # cuda.h
DEMOS = {name: PROGRAMS / f"{name}.c" for name in ("saxpy", "matmul", "bigcopy")}
HOSTILE = HERE / "hostile.c"              # the tests' attacker of the channel


def build_vm_program(sources, out) -> Path:
    """A bare-metal guest ELF: ``sources`` (paths) + the virtio front end."""
    sources = [sources] if isinstance(sources, (str, Path)) else list(sources)
    return compile_c([*sources, FRONT_END], out, mode="bare",
                     extra_flags=[f"-I{INCLUDE}", f"-I{PROGRAMS}", "-DVLAB_BARE"])


def build_native_program(sources, out) -> Path:
    """A static musl program for ``vlab lib accel-run``, from the same ``sources``."""
    sources = [sources] if isinstance(sources, (str, Path)) else list(sources)
    return compile_c([*sources, DEVICE_FRONT_END], out, libc="musl",
                     extra_flags=[f"-I{INCLUDE}", f"-I{PROGRAMS}"])


__all__ = ["DEMOS", "FRONT_END", "HOSTILE", "PROGRAMS", "build_native_program", "build_vm_program"]
