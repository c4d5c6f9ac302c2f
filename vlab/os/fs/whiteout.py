"""How a layer records deletions: OCI whiteout files and opaque-directory markers.

A layer is a set of *changes* to the layers below it, so it must be able to say "this
file is gone".  The OCI image spec (``image-spec/layer.md``, "Whiteouts") encodes that
as specially named empty files, the same names overlayfs and aufs use:

=====================  =========================================================
entry in a layer       meaning
=====================  =========================================================
``/a/.wh.b``           *whiteout*: ``/a/b`` (and, if a directory, everything in
                       it) from the layers below is hidden
``/a/.wh..wh..opq``    *opaque directory*: every entry of ``/a`` from the layers
                       below is hidden; this layer's own entries in ``/a`` stay
=====================  =========================================================

The ``.wh.`` prefix is therefore reserved: a regular file may not start with it.
"""

from __future__ import annotations

from vlab.os.fs.errors import ReservedNameError
from vlab.os.fs.paths import ROOT, parent

WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"


def _join(directory: str, name: str) -> str:
    return f"{directory.rstrip('/')}/{name}"


def whiteout_entry(path: str) -> str:
    """The entry that hides canonical ``path``: ``/a/b`` -> ``/a/.wh.b``."""
    return _join(parent(path), WHITEOUT_PREFIX + path.rsplit("/", 1)[1])


def opaque_entry(directory: str) -> str:
    """The entry that makes canonical ``directory`` opaque: ``/a`` -> ``/a/.wh..wh..opq``."""
    return _join(directory, OPAQUE_MARKER)


def decode(entry: str) -> tuple[str, str]:
    """Classify a layer entry: ``('file', path)``, ``('whiteout', path)`` or ``('opaque', dir)``."""
    directory, name = parent(entry), entry.rsplit("/", 1)[1]
    if name == OPAQUE_MARKER:
        return "opaque", directory
    if name.startswith(WHITEOUT_PREFIX):
        hidden = name[len(WHITEOUT_PREFIX):]
        if hidden in ("", ".", ".."):
            raise ReservedNameError(f"whiteout entry {entry!r} hides no file")
        return "whiteout", _join(directory, hidden)
    return "file", entry


def check_regular_name(path: str) -> str:
    """Refuse a regular file whose name (any component) uses the reserved ``.wh.`` prefix."""
    for name in path.split("/"):
        if name.startswith(WHITEOUT_PREFIX):
            raise ReservedNameError(
                f"{path!r}: names starting with {WHITEOUT_PREFIX!r} are reserved for "
                "whiteouts in layered images (OCI image spec, layer.md); rename the file"
            )
    return path


def is_hidden_by(path: str, whiteouts, opaque_dirs) -> bool:
    """Whether a layer with these ``whiteouts`` and ``opaque_dirs`` hides the lower ``path``.

    A whiteout on ``path`` or on any directory above it hides it; so does an opaque
    marker on any directory strictly above it.
    """
    node = path
    if node in whiteouts:
        return True
    while node != ROOT:
        node = parent(node)
        if node in whiteouts or node in opaque_dirs:
            return True
    return False
