"""The OCI media types this store reads and writes (image-spec v1.1, ``media-types.md``).

Every JSON document and blob of an image is named by a media type in its descriptor.
A layer's media type says how its tar is compressed; :data:`LAYER_COMPRESSION` is the
table the reader follows.  zstd layers (``...tar+zstd``) and the non-distributable
layer types (deprecated in v1.1) are refused with a message that says so.
"""

from __future__ import annotations

OCI_LAYOUT_VERSION = "1.0.0"                                   # image-layout.md
INDEX = "application/vnd.oci.image.index.v1+json"              # image-index.md
MANIFEST = "application/vnd.oci.image.manifest.v1+json"        # manifest.md
CONFIG = "application/vnd.oci.image.config.v1+json"            # config.md
LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"           # layer.md
LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"     # layer.md
LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"     # layer.md (not read here)

#: layer media type -> compression of its blob (None = a plain tar).
LAYER_COMPRESSION: dict[str, str | None] = {LAYER_TAR: None, LAYER_GZIP: "gzip"}

#: annotations.md: the name of a reference (a "tag") on a descriptor of index.json.
REF_NAME = "org.opencontainers.image.ref.name"
