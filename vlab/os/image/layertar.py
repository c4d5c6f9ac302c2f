"""Reproducible layer blobs: the same files always give the same bytes and digest.

A layer cache works only if building the same content twice gives the same DiffID
(``config.md``: "Layers must be packed and unpacked reproducibly").  The canonical tar
is the layer store's own (:meth:`vlab.os.fs.ImageLayer.to_tar`): entries sorted by
name, owner 0:0, mode 0644, mtime 0, empty user and group names, no pax records unless
a name needs one, so :meth:`ImageLayer.digest` *is* the layer's DiffID.  The gzip form
(``tar+gzip``) is made with mtime 0, no file name and a fixed level, so it is
reproducible too (RFC 1952 header fields).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass

from vlab.os.fs import ImageLayer
from vlab.os.image import mediatypes
from vlab.os.image.descriptor import Descriptor
from vlab.os.image.digest import sha256_digest

GZIP_LEVEL = 9


def gzip_reproducible(tar: bytes) -> bytes:
    """``tar`` gzip-compressed with a fixed header (mtime 0, no name) and level."""
    return gzip.compress(tar, compresslevel=GZIP_LEVEL, mtime=0)


@dataclass(frozen=True)
class LayerBlob:
    """A layer ready to store: its blob, the manifest descriptor, and its DiffID."""

    blob: bytes
    descriptor: Descriptor
    diff_id: str


def layer_blob(tar: bytes, *, compress: bool = False) -> LayerBlob:
    """Package an uncompressed layer tar as a blob (``tar`` or reproducible ``tar+gzip``)."""
    blob = gzip_reproducible(tar) if compress else tar
    media = mediatypes.LAYER_GZIP if compress else mediatypes.LAYER_TAR
    return LayerBlob(blob, Descriptor.of(media, blob), sha256_digest(tar))


def canonical_blob(layer: ImageLayer, *, compress: bool = False) -> LayerBlob:
    """The blob of a layer-store layer: its canonical tar, so DiffID == ``layer.digest()``."""
    return layer_blob(layer.to_tar(), compress=compress)
