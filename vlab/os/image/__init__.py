"""Container images: the OCI image layout, layer tars, an image store, the Containerfile.

An image (OCI image-spec v1.1) is a config plus a stack of layer tars, every piece
named by the SHA-256 of its bytes, listed by a manifest, found through an index.  This
package reads and writes that format on disk and turns it into the copy-on-write layers
of :mod:`vlab.os.fs`, on which containers run.  In the order of the story:

=================  =================================================================
module             concept
=================  =================================================================
``errors``         what can go wrong (blob by name, tar member, file:line)
``mediatypes``     the OCI media types
``digest``         digests, DiffIDs, ChainIDs (``config.md``)
``descriptor``     typed, sized pointers; verification of what they point at
``jsondoc``        one canonical JSON encoding, reading with clear errors
``config``         the image config: how to run it, which layers (``config.md``)
``manifest``       manifest and index (``manifest.md``, ``image-index.md``)
``names``          image names (ref.name grammar, ``:latest``)
``tarsafe``        reading a hostile layer tar safely (``layer.md``, whiteouts)
``layertar``       reproducible layer blobs (tar, tar+gzip)
``layout``         the OCI image layout directory, read verified, written atomically
``store``          the image store: images by name, shared blobs, save/load, commit
``containerfile``  the Containerfile parser (Dockerfile subset)
``buildcontext``   what COPY copies from the build context
``cachekey``       the build cache key
=================  =================================================================

The build executor (RUN in a build container) lives with the containers; it calls
``parse(path)``, ``copy_layer(...)``, ``cache_key(...)``, ``store.add_layer(...)``,
``store.add_image(name, layers, config)``.
"""

from __future__ import annotations

from vlab.os.image.buildcontext import copy_files, copy_layer
from vlab.os.image.cachekey import cache_key
from vlab.os.image.config import ImageConfig
from vlab.os.image.containerfile import BuildPlan, Instruction, parse, parse_text
from vlab.os.image.descriptor import Descriptor
from vlab.os.image.digest import chain_id, chain_ids, sha256_digest
from vlab.os.image.errors import (
    ContainerfileError,
    DigestMismatch,
    ImageError,
    ImageNotFound,
    LayoutError,
    UnsafeMember,
)
from vlab.os.image.layout import read_layout
from vlab.os.image.manifest import Manifest
from vlab.os.image.names import normalize_name
from vlab.os.image.store import ImageRecord, ImageStore, LayerRef

__all__ = [
    "BuildPlan", "ContainerfileError", "Descriptor", "DigestMismatch", "ImageConfig",
    "ImageError", "ImageNotFound", "ImageRecord", "ImageStore", "Instruction", "LayerRef",
    "LayoutError", "Manifest", "UnsafeMember", "cache_key", "chain_id", "chain_ids",
    "copy_files", "copy_layer", "normalize_name", "parse", "parse_text", "read_layout",
    "sha256_digest",
]
