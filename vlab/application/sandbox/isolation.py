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
"""

from __future__ import annotations

from collections.abc import Mapping

from vlab.application.sandbox.paths import is_within

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
