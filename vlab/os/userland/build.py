"""Build the userland: each C program of ``src/`` into a static musl executable.

``build_userland()`` compiles every program for the RV32 kernel with the pinned Zig
toolchain, as the issue asks::

    zig cc -target riscv32-linux-musl -mcpu=generic_rv32+m+a -mabi=ilp32 -static -Os

through the runtime's ``compile_c(..., libc='musl')`` and its content-hash build cache
(``vlab/isa/runtime/build_cache.py``: a program is compiled again only when its source,
a header beside it, the flags or the compiler change).  ``target='native'`` builds the
same sources for this machine (``x86_64-linux-musl``), so that the C logic can be tested
on Linux itself, and a script can be run on both to compare (tests/os/test_userland*).

The programs land in one directory per target and source hash under the runtime's cache
directory (``.../vlab/c/userland/<target>-<hash>/``), filled in a temporary directory and
renamed into place (an atomic rename), so that two builds at once never see half a
userland.  ``userland_files()`` gives the bytes by their place in a root file system
(``/bin/sh``, ``/sbin/init``...), from which an image is made.
"""

from __future__ import annotations

import os
import platform
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from vlab.isa.runtime import BuildCache, CompileError, ToolchainMissing, compile_c, toolchain
from vlab.isa.runtime.build_cache import build_key, default_directory

SOURCE_DIR = Path(__file__).resolve().parent / "src"

# program -> its place in the root file system (init is in /sbin, as on Linux)
PROGRAMS = {
    "sh": "/bin/sh", "echo": "/bin/echo", "cat": "/bin/cat", "ls": "/bin/ls",
    "ps": "/bin/ps", "kill": "/bin/kill", "sleep": "/bin/sleep",
    "hostname": "/bin/hostname", "id": "/bin/id", "env": "/bin/env",
    "mkdir": "/bin/mkdir", "rm": "/bin/rm", "touch": "/bin/touch", "wc": "/bin/wc",
    "yes": "/bin/yes", "true": "/bin/true", "false": "/bin/false", "head": "/bin/head",
    "grep": "/bin/grep", "test": "/bin/test", "init": "/sbin/init",
}
# more names for a program (test is also "[", as in every Unix)
ALIASES = {"/bin/[": "test"}

# the account files a root file system needs for names (passwd(5), group(5)): id and
# ls -l print "root" for uid 0 and "nobody" for 65534, the overflow id of user namespaces
ETC_FILES = {
    "/etc/passwd": b"root:x:0:0:root:/root:/bin/sh\n"
                   b"nobody:x:65534:65534:nobody:/:/bin/false\n",
    "/etc/group": b"root:x:0:\nnogroup:x:65534:\n",
}

OPTIMIZE = ["-Os"]                 # small binaries: they are copied into every image
# target -> the zig target triple and CPU flags (riscv32 = the vlab machine)
TARGETS = {
    "riscv32": ("-target", "riscv32-linux-musl", "-mcpu=generic_rv32+m+a", "-mabi=ilp32"),
    "native": ("-target", "x86_64-linux-musl"),
}


class UserlandBuildError(RuntimeError):
    """A program of the userland did not compile; the message names it and says why."""


def sources() -> list[Path]:
    """Every input of the userland (the programs' C files and the shared headers)."""
    return sorted(SOURCE_DIR.glob("*.[ch]"))


def native_supported() -> bool:
    """True if this machine can run the native build (x86-64 Linux)."""
    return platform.system() == "Linux" and platform.machine() in ("x86_64", "AMD64")


def build_userland(out_dir=None, target: str = "riscv32") -> dict[str, Path]:
    """Compile every program; returns ``{name: path of its executable}``.

    ``out_dir`` None: the cached directory of the module docstring (built once per
    source hash; if the cache cannot be written, a new temporary directory each call).
    ``target``: 'riscv32' (the vlab kernel) or 'native' (this machine).
    Raises ToolchainMissing without zig, UserlandBuildError if a program fails.
    The directory also holds each alias (``[``) as a symbolic link to its program, so
    that it can be put on $PATH as it is.
    """
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}: use one of {sorted(TARGETS)}")
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        _compile_all(out, target)
        return {name: out / name for name in PROGRAMS}
    final = _cache_root() / f"{target}-{_source_hash(target)[:16]}"
    names = [*PROGRAMS, *(Path(path).name for path in ALIASES)]
    if not all((final / name).is_file() for name in names):
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            scratch = Path(tempfile.mkdtemp(prefix=".build-", dir=final.parent))
        except OSError:                  # a read-only cache: build into a temporary dir
            final = Path(tempfile.mkdtemp(prefix="vlab-userland-"))
            _compile_all(final, target)
            return {name: final / name for name in PROGRAMS}
        os.chmod(scratch, 0o755)
        try:
            _compile_all(scratch, target)
            _install(scratch, final)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return {name: final / name for name in PROGRAMS}


def _install(scratch: Path, final: Path) -> None:
    """Rename the built directory onto its cached name (atomic).  If the name is taken by
    another build that won the race, keep that one; if by an incomplete directory (an
    interrupted or older build), move it aside first."""
    try:
        os.rename(scratch, final)
        return
    except OSError:
        pass
    names = [*PROGRAMS, *(Path(path).name for path in ALIASES)]
    if all((final / name).is_file() for name in names):
        return
    stale = Path(tempfile.mkdtemp(prefix=".stale-", dir=final.parent))
    try:
        os.replace(final, stale / "old")
    except OSError:
        pass
    try:
        os.rename(scratch, final)
    except OSError:                   # yet another build got there first: keep it
        pass
    shutil.rmtree(stale, ignore_errors=True)


def userland_files(target: str = "riscv32") -> dict[str, bytes]:
    """A root file system's files by path: the executables ({"/bin/sh": b"\\x7fELF...",
    ..., "/sbin/init": ...}, ALIASES such as "/bin/[") and ETC_FILES (/etc/passwd,
    /etc/group)."""
    built = build_userland(target=target)
    files = {PROGRAMS[name]: built[name].read_bytes() for name in PROGRAMS}
    files.update({path: built[name].read_bytes() for path, name in ALIASES.items()})
    files.update(ETC_FILES)
    return files


def _cache_root() -> Path:
    return default_directory() / "userland"


def _source_hash(target: str) -> str:
    chain = toolchain("zig")
    aliases = [f"{path}={name}" for path, name in sorted(ALIASES.items())]
    return build_key(chain.identify(), [target, *TARGETS[target], *OPTIMIZE, *aliases],
                     sources())


def _compile_all(out: Path, target: str) -> None:
    compile_one = _compile_riscv32 if target == "riscv32" else _compile_native
    with ThreadPoolExecutor(max_workers=2) as pool:       # the machine has two cores
        list(pool.map(lambda name: compile_one(name, out / name), PROGRAMS))
    for path, name in ALIASES.items():                    # "[" -> test, beside it
        alias = out / Path(path).name
        alias.unlink(missing_ok=True)
        alias.symlink_to(name)


def _compile_riscv32(name: str, out: Path) -> None:
    try:
        compile_c([SOURCE_DIR / f"{name}.c"], out, libc="musl", extra_flags=OPTIMIZE)
    except CompileError as exc:
        raise UserlandBuildError(f"userland program {name} ({SOURCE_DIR / name}.c) "
                                 f"did not compile:\n{exc}") from None


def _compile_native(name: str, out: Path) -> None:
    """The same program for this machine, through the same build cache."""
    import subprocess

    chain = toolchain("zig")
    driver = chain.locate()
    if driver is None:
        raise ToolchainMissing(f"the zig cross-compiler is not installed: "
                               f"{chain.install_hint}")
    source = SOURCE_DIR / f"{name}.c"
    flags = [*TARGETS["native"], "-static", *OPTIMIZE, "-Wall"]
    cache = BuildCache()
    key = build_key(chain.identify(), ["native", *flags], [source, *SOURCE_DIR.glob("*.h")])
    if cache.fetch(key, out) is not None:
        return
    with tempfile.TemporaryDirectory(prefix="vlab-cc-") as scratch:
        image = Path(scratch) / name
        result = subprocess.run([*driver, *flags, "-o", str(image), str(source)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise UserlandBuildError(f"userland program {name} ({source}) did not "
                                     f"compile natively:\n{result.stderr}")
        try:
            cache.store(key, image, result.stderr)
        except OSError:
            pass
        out.write_bytes(image.read_bytes())
        os.chmod(out, 0o755)
