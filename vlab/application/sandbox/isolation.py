"""Isolation modes: how much of the host an application sees, directory by directory.

After VMware ThinApp's ``DirectoryIsolationMode`` (ThinApp User's Guide,
"Configuring Isolation"):

===========  ====================  ====================  ===================
mode         host files visible?   writes to host files  new files
===========  ====================  ====================  ===================
writecopy    yes                   copied to sandbox     created in sandbox
full         no                    (not visible)         created in sandbox
===========  ====================  ====================  ===================

A package's manifest maps directories to modes; a path takes the mode of the
longest listed directory that contains it, else :data:`DEFAULT_MODE`.
ThinApp's *Merged* mode (writes reach the host) is deliberately absent.
:class:`IsolatedView` applies the table to the host layer, so isolation is just one
more layer of the overlay: the host as this application may see it.
"""

from __future__ import annotations

from collections.abc import Mapping

from vlab.os.fs.layer import Layer
from vlab.os.fs.paths import is_within

DEFAULT_MODE = "writecopy"
HOST_VISIBLE = {"writecopy": True, "full": False}


def mode_of(path: str, table: Mapping[str, str]) -> str:
    """The isolation mode that governs canonical ``path``."""
    best, mode = "", DEFAULT_MODE
    for directory, directory_mode in table.items():
        if is_within(path, directory) and len(directory) > len(best):
            best, mode = directory, directory_mode
    return mode


def host_visible(path: str, table: Mapping[str, str]) -> bool:
    """Whether the application may see the host's file at ``path``."""
    return HOST_VISIBLE[mode_of(path, table)]


class IsolatedView:
    """The host layer as one application sees it: files in ``full`` directories hidden."""

    def __init__(self, host: Layer, table: Mapping[str, str]) -> None:
        self.host, self.table = host, dict(table)
        self.name = host.name

    def has(self, path: str) -> bool:
        return self.host.has(path) and host_visible(path, self.table)

    def read(self, path: str) -> bytes | None:
        return self.host.read(path) if self.has(path) else None

    def paths(self) -> list[str]:
        return [p for p in self.host.paths() if host_visible(p, self.table)]

    def whiteout_paths(self) -> frozenset[str]:
        return frozenset()

    def opaque_dirs(self) -> frozenset[str]:
        return frozenset()
