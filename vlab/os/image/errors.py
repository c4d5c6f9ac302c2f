"""What can go wrong with an image, each error saying what, where and how to fix it.

An image arrives from outside (a directory someone gave us, a tar someone built), so
every check of this package ends in one of these exceptions, never in a Python
traceback from deep inside ``json`` or ``tarfile``.  The message names the thing that
is wrong (the blob by digest and role, the tar member by name, the Containerfile by
file and line) and, where there is one, the fix.
"""

from __future__ import annotations


class ImageError(Exception):
    """Base class of every error raised by :mod:`vlab.os.image`."""


class LayoutError(ImageError):
    """An OCI image layout directory is malformed: missing file, bad JSON, bad field."""


class DigestMismatch(ImageError):
    """A blob's bytes do not hash to the digest (or size) its descriptor promises."""


class UnsafeMember(ImageError):
    """A layer tar member could write outside the root or is of a refused kind."""


class ImageNotFound(ImageError):
    """The store holds no image of that name."""


class ContainerfileError(ImageError):
    """A Containerfile does not parse: ``file:line: reason`` plus a hint to fix it.

    ``line`` is 0 for an error about the whole file (missing, unreadable, too large).
    """

    def __init__(self, path: str, line: int, reason: str, hint: str = "") -> None:
        self.path, self.line, self.reason, self.hint = path, line, reason, hint
        message = f"{path}:{line}: {reason}" if line else f"{path}: {reason}"
        super().__init__(message + (f"\n  hint: {hint}" if hint else ""))
