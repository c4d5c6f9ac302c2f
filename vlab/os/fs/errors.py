"""Errors of the layer store, each with the Linux errno a kernel would return for it.

A file-system operation that cannot be done is one of these, with a message that says
what went wrong, where, and how to fix it.  The ``errno`` of each class is the value
from Linux's ``include/uapi/asm-generic/errno-base.h`` / ``errno.h``, so a modeled kernel
turns any of them into a system-call error without a table of its own.
"""

from __future__ import annotations

from vlab.os.errno import EACCES, EDQUOT, EINVAL, EIO, EISDIR, ENOENT, ENOTDIR, EROFS


class FsError(Exception):
    """Base class of every error raised by :mod:`vlab.os.fs`."""

    errno = EIO


class PathEscapeError(FsError):
    """A path tries to name something outside the file system's root, or is malformed."""

    errno = EACCES


class ReservedNameError(FsError):
    """A file name uses the ``.wh.`` prefix that OCI layers reserve for whiteouts."""

    errno = EINVAL


class FileNotFound(FsError):
    """No layer holds the path (or a whiteout hides it)."""

    errno = ENOENT


class IsADirectory(FsError):
    """A file operation named a directory."""

    errno = EISDIR


class NotADirectory(FsError):
    """A directory operation named a file, or a file sits where a directory must be."""

    errno = ENOTDIR


class ReadOnlyLayer(FsError):
    """A write reached a layer that is immutable (a content-addressed image layer)."""

    errno = EROFS


class QuotaExceeded(FsError):
    """A write would grow the writable layer beyond its quota."""

    errno = EDQUOT


class LayerFormatError(FsError):
    """The bytes are not a layer this store can read (bad tar, unsupported member type)."""

    errno = EINVAL
