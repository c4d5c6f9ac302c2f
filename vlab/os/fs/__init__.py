"""The copy-on-write layer store: image layers, an overlay, and one path normaliser.

What containers (OCI images), application sandboxes (App-V, ThinApp) and union mounts
(overlayfs) share: a file system assembled from read-only layers plus one writable
layer on top, where every change lands.  The package tells the story in order:

==================  ================================================================
module              concept
==================  ================================================================
``errors``          what can go wrong, each with the errno a kernel returns for it
``paths``           the one path normaliser: canonical paths, escapes refused
``whiteout``        how a layer deletes: ``.wh.NAME`` and ``.wh..wh..opq`` (OCI)
``layer``           the :class:`Layer` protocol every layer answers
``image_layer``     immutable, content-addressed layers (sha256 of a canonical tar)
``writable_layer``  the upper layer: written files, whiteouts, opaque directories
``overlay``         N lower layers under one upper layer: lookup, copy-up, delete
==================  ================================================================
"""

from __future__ import annotations

from vlab.os.fs.errors import (
    FileNotFound,
    FsError,
    IsADirectory,
    LayerFormatError,
    NotADirectory,
    PathEscapeError,
    QuotaExceeded,
    ReadOnlyLayer,
    ReservedNameError,
)
from vlab.os.fs.image_layer import ImageLayer
from vlab.os.fs.layer import Layer
from vlab.os.fs.overlay import Overlay
from vlab.os.fs.paths import host_path, normalize
from vlab.os.fs.writable_layer import WritableLayer

__all__ = [
    "FileNotFound", "FsError", "ImageLayer", "IsADirectory", "Layer", "LayerFormatError",
    "NotADirectory", "Overlay", "PathEscapeError", "QuotaExceeded", "ReadOnlyLayer",
    "ReservedNameError", "WritableLayer", "host_path", "normalize",
]
