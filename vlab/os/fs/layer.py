"""What a layer is: the protocol every layer of the store answers.

A *layer* (OCI image spec, ``layer.md``) is a set of files plus a set of deletions of
files from the layers below it.  Whoever stacks layers (:class:`~vlab.os.fs.overlay.Overlay`)
needs only these five questions answered, so a layer may keep its bytes anywhere: in a
frozen mapping (:class:`~vlab.os.fs.image_layer.ImageLayer`), in a dictionary that
changes (:class:`~vlab.os.fs.writable_layer.WritableLayer`), or behind a network link
(the application sandbox's streamed package).

Every path a layer receives or returns is canonical (:func:`vlab.os.fs.paths.normalize`).
Directories are implicit: a directory exists when some file lies beneath it.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol, runtime_checkable


@runtime_checkable
class Layer(Protocol):
    """One layer of a union file system."""

    #: Short name shown when asking which layer answered for a path ('host', 'upper'...).
    name: str

    def has(self, path: str) -> bool:
        """Whether this layer holds a regular file at ``path``."""

    def read(self, path: str) -> bytes | None:
        """The file's bytes, or ``None`` if this layer does not hold it."""

    def paths(self) -> list[str]:
        """Every regular file of this layer, sorted."""

    def whiteout_paths(self) -> Collection[str]:
        """Paths this layer deletes from the layers below (``.wh.NAME`` entries)."""

    def opaque_dirs(self) -> Collection[str]:
        """Directories whose lower contents this layer hides (``.wh..wh..opq`` entries)."""
