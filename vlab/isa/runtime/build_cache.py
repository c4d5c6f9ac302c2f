"""A cache of built images: a C program is compiled again only when one of its inputs changes.

The key of a build is a SHA-256 digest of everything that determines the image: the
compiler's exact version, every flag, and the name and bytes of every input file (the
program's sources, the headers beside them, the runtime files, the linker script).  Change
any of them and the key changes; nothing else is compared, not even a timestamp.  This is
ccache's idea ("direct mode", which hashes the inputs instead of running the preprocessor)
and the content-addressed store of Nix and Bazel.  Headers are found by directory, not by
preprocessing: every ``*.h`` beside a source file or in an ``-I`` directory is hashed.

Where: ``$VLAB_CACHE/c`` if ``VLAB_CACHE`` is set, else ``$XDG_CACHE_HOME/vlab/c``, else
``~/.cache/vlab/c`` (the XDG Base Directory Specification's cache home), one file per key.

Writes are atomic: an image is copied into a temporary file in the cache directory and
renamed onto its key (``os.replace``, an atomic rename on POSIX), so a reader sees a whole
image or none, even with two builds of the same program running at once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

SUBDIRECTORY = "c"


def default_directory() -> Path:
    """The cache directory by the rule in the module docstring (not created here)."""
    if os.environ.get("VLAB_CACHE"):
        return Path(os.environ["VLAB_CACHE"]) / SUBDIRECTORY
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache_home) / "vlab" / SUBDIRECTORY


def build_key(compiler: str, flags: Sequence[str], files: Iterable[Path]) -> str:
    """The hex digest naming a build: compiler version, flags, then each file's name and
    bytes, every field length-prefixed so that no two different inputs run together."""
    digest = hashlib.sha256()

    def field(data: bytes) -> None:
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)

    field(compiler.encode())
    field(b"flags")
    for flag in flags:
        field(os.fsencode(flag))
    field(b"files")
    for path in files:
        field(os.fsencode(Path(path).name))
        field(Path(path).read_bytes())
    return digest.hexdigest()


def headers_near(sources: Iterable[Path], flags: Sequence[str]) -> list[Path]:
    """The ``*.h`` files a program may include: beside its sources and in ``-I`` dirs."""
    directories = {Path(source).resolve().parent for source in sources}
    directories |= {Path(flag[2:]).resolve() for flag in flags
                    if flag.startswith("-I") and len(flag) > 2}
    return sorted(h for d in directories if d.is_dir() for h in d.glob("*.h"))


class BuildCache:
    """Images by key, in one directory: ``fetch`` copies a hit out, ``store`` adds one.

    Beside each image ``KEY.elf`` is ``KEY.txt``, what the compiler printed (its warnings),
    so that a cache hit shows the same warnings as the build it replays."""

    def __init__(self, directory: Path | str | None = None):
        self.directory = Path(directory) if directory is not None else default_directory()

    def entry(self, key: str) -> Path:
        return self.directory / f"{key}.elf"

    def fetch(self, key: str, out: Path) -> str | None:
        """Copy the image of ``key`` to ``out`` and return the build's diagnostics;
        None (nothing written) on a miss."""
        entry, log = self.entry(key), self.entry(key).with_suffix(".txt")
        if not (entry.is_file() and log.is_file()):
            return None
        _atomic_write(Path(out), entry.read_bytes(), mode=0o755)
        return log.read_text()

    def store(self, key: str, image: Path, diagnostics: str = "") -> None:
        """Keep ``image`` as the build of ``key`` (an existing entry is equal: same key)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        entry = self.entry(key)
        _atomic_write(entry.with_suffix(".txt"), diagnostics.encode())
        _atomic_write(entry, Path(image).read_bytes(), mode=0o755)   # last: marks it whole


def _atomic_write(target: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to a temporary file beside ``target`` and rename it into place."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
