"""Errors of the application sandbox.

Every error a student (or a hostile application) can provoke is one of these,
with a message that says what went wrong, where, and how to fix it: a bad
package is rejected with the reason, a path that tries to leave the virtual
file system is refused, a missing file is a file-not-found, never a Python
traceback from deep inside the model.
"""

from __future__ import annotations


class SandboxError(Exception):
    """Base class of every error raised by :mod:`vlab.application.sandbox`."""


class PackageFormatError(SandboxError):
    """The bytes are not a well-formed application package (magic, size, checksum...)."""


class PathEscapeError(SandboxError):
    """A path tries to name something outside the virtual file system."""


class VirtualFileNotFound(SandboxError):
    """No layer of the virtual file system holds the path (or a whiteout hides it)."""


class VirtualIsADirectory(SandboxError):
    """A file operation named a directory of the virtual file system."""


class VirtualNotADirectory(SandboxError):
    """A directory operation named a file, or a file sits where a directory must be."""
