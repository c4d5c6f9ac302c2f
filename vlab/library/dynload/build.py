"""Build shared objects and dynamically linked programs for the dynamic loader.

The pinned zig links RISC-V shared objects (``-shared -fPIC``) and executables that
need them.  The objects here use no C library (``-nostdlib``): ``libvc.so`` makes its
own system calls.  ``-z lazy`` keeps the PLT's GOT slots unresolved until first use;
a library's DT_SONAME is its file name, which programs linked against it record as
DT_NEEDED; the program names the interpreter in a ``.interp`` section (lld turns it into
PT_INTERP; ``-u interp`` keeps it from being garbage-collected).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from vlab.isa.runtime.driver import CompileError, ToolchainMissing
from vlab.isa.runtime.toolchains import MUSL_TARGET, toolchain

PROGRAMS = Path(__file__).resolve().parent / "programs"
FLAGS = [*MUSL_TARGET, "-O2", "-nostdlib", "-ffreestanding", "-fPIC", "-Wl,-z,lazy"]


def _cc(args: list[str], what: str) -> None:
    driver = toolchain("zig").locate()
    if driver is None:
        raise ToolchainMissing("the zig cross-compiler is not installed (pip install ziglang)")
    done = subprocess.run([*driver, *FLAGS, *args], capture_output=True, text=True)
    if done.returncode:
        raise CompileError(f"building {what} failed:\n{done.stderr}")


def build_shared(sources, out) -> Path:
    sources = [sources] if isinstance(sources, (str, Path)) else list(sources)
    _cc(["-shared", f"-Wl,-soname,{Path(out).name}", "-o", str(out), *map(str, sources)],
        str(out))
    return Path(out)


def build_dynamic(sources, out, libraries) -> Path:
    """An executable linked against the shared objects ``libraries`` (paths)."""
    sources = [sources] if isinstance(sources, (str, Path)) else list(sources)
    _cc(["-Wl,-u,interp", "-o", str(out), *map(str, sources), *map(str, libraries)],
        str(out))
    return Path(out)


def build_examples(directory) -> dict[str, Path]:
    """libvc.so, libfakeclock.so and hello_dyn in ``directory`` (a lib/ under it)."""
    directory = Path(directory)
    lib = directory / "lib"
    lib.mkdir(parents=True, exist_ok=True)
    libvc = build_shared(PROGRAMS / "libvc.c", lib / "libvc.so")
    fake = build_shared(PROGRAMS / "fakeclock.c", lib / "libfakeclock.so")
    program = build_dynamic(PROGRAMS / "hello_dyn.c", directory / "hello_dyn", [libvc])
    return {"libvc.so": libvc, "libfakeclock.so": fake, "hello_dyn": program}
