"""A package's paths follow the layer store's rules (:mod:`vlab.os.fs.paths`).

Every name an application uses is turned into one canonical absolute path by the one
normaliser of :mod:`vlab.os.fs.paths`, which refuses escapes (``..`` above the root, a
NUL byte, a drive letter or backslash, an overlong name) rather than clamping them.
Package entries are stricter still (:func:`package_entry_path`): a packager must store
canonical absolute paths, so an archive entry such as ``../../home/user/.profile`` (the
"zip slip" attack) is a malformed package.
"""

from __future__ import annotations

from vlab.os.fs.paths import ROOT, ancestors, entry_path, is_within, normalize, parent

__all__ = ["ROOT", "ancestors", "is_within", "normalize", "package_entry_path", "parent"]


def package_entry_path(name: str) -> str:
    """Check a path stored in a package: canonical, absolute, naming a file.

    Raises :class:`~vlab.os.fs.errors.PathEscapeError` naming the entry otherwise.
    """
    return entry_path(name, "package entry")
