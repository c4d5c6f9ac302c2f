"""Errors of the application sandbox: the layer store's errors, and a malformed package.

The sandbox is built on the copy-on-write layer store (:mod:`vlab.os.fs`), so a path
that tries to leave the virtual file system, a missing file or a full sandbox raises the
store's own error (each carries the errno a kernel would return).  The names below are
the ones this package has always used for them; the only error of its own is a package
whose bytes are malformed.  Every message says what went wrong, where, and how to fix
it, never a Python traceback from deep inside the model.
"""

from __future__ import annotations

from vlab.os.fs.errors import (
    FileNotFound,
    FsError,
    IsADirectory,
    NotADirectory,
    PathEscapeError,
    QuotaExceeded,
)

#: Base class of every error raised by :mod:`vlab.application.sandbox`.
SandboxError = FsError
VirtualFileNotFound = FileNotFound
VirtualIsADirectory = IsADirectory
VirtualNotADirectory = NotADirectory
SandboxQuotaExceeded = QuotaExceeded


class PackageFormatError(FsError):
    """The bytes are not a well-formed application package (magic, size, checksum...)."""

    errno = 22  # EINVAL


__all__ = [
    "PackageFormatError", "PathEscapeError", "SandboxError", "SandboxQuotaExceeded",
    "VirtualFileNotFound", "VirtualIsADirectory", "VirtualNotADirectory",
]
