"""An OCI image layout on disk: read with every digest checked, written all or nothing.

``image-layout.md`` (image-spec v1.1): a directory holding

* ``oci-layout``: ``{"imageLayoutVersion": "1.0.0"}``;
* ``index.json``: an image index whose entries point at manifests, each named by the
  ``org.opencontainers.image.ref.name`` annotation;
* ``blobs/sha256/<hex>``: every manifest, config and layer, named by its digest.

:func:`read_layout` trusts nothing: a blob must be a regular file of exactly the size
its descriptor says, at most :data:`MAX_BLOB` (checked before reading, so a huge or
special file is never read),
must hash to its digest, a config's ``diff_ids`` must be the SHA-256 of the
uncompressed layers, and every layer tar passes :mod:`vlab.os.image.tarsafe`.  Errors
name the blob and its role ("layer 2 of image hello:latest").

:func:`write_layout` builds the whole layout in a temporary directory beside the target
and renames it into place at the end (``rename(2)`` is atomic on one file system), so a
failure leaves no partial layout.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from vlab.os.image import jsondoc, mediatypes
from vlab.os.image.config import ImageConfig
from vlab.os.image.descriptor import Descriptor
from vlab.os.image.digest import encoded, sha256_digest
from vlab.os.image.errors import DigestMismatch, ImageError, LayoutError
from vlab.os.image.manifest import Manifest, index_bytes, parse_index
from vlab.os.image.tarsafe import MAX_LAYER, read_layer, uncompress

OCI_LAYOUT = "oci-layout"
INDEX_JSON = "index.json"
BLOBS = "blobs"
#: The largest blob read into memory: a layer at the uncompressed cap plus gzip overhead.
MAX_BLOB = MAX_LAYER + 1024 * 1024


def blob_path(root: Path, digest: str) -> Path:
    return Path(root) / BLOBS / "sha256" / encoded(digest)


def read_blob(root: Path, desc: Descriptor, role: str) -> bytes:
    """A blob's bytes, refused unless a regular file of the right size and digest."""
    path = blob_path(root, desc.digest)
    short = desc.digest[:19]
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise LayoutError(f"blob {short}.. ({role}) is missing: no file {path}") from None
    if desc.size > MAX_BLOB:
        raise LayoutError(f"blob {short}.. ({role}): its descriptor says {desc.size} bytes, "
                          f"above the blob size cap {MAX_BLOB}; refusing to read it")
    if not stat.S_ISREG(info.st_mode):
        raise LayoutError(f"blob {short}.. ({role}): {path} is not a regular file "
                          "(a link or special file is refused)")
    if info.st_size != desc.size:
        raise DigestMismatch(f"blob {short}.. ({role}): size mismatch: descriptor says "
                             f"{desc.size} bytes, the file has {info.st_size}; the blob is "
                             "truncated or replaced, fetch the image again")
    return desc.verify(path.read_bytes(), role)


def read_small(root: Path, name: str, what: str) -> bytes:
    path = Path(root) / name
    if not path.is_file() or path.is_symlink():
        raise LayoutError(f"{root}: {what} {name!r} is missing; an OCI image layout has "
                          "'oci-layout', 'index.json' and 'blobs/sha256/' (image-layout.md)")
    if path.stat().st_size > jsondoc.MAX_DOCUMENT_BYTES:
        raise LayoutError(f"{path}: too large for a JSON document")
    return path.read_bytes()


@dataclass
class LoadedImage:
    """One image of a layout, every blob verified: its name, documents and layer blobs."""

    name: str | None
    manifest_descriptor: Descriptor
    manifest: Manifest
    manifest_bytes: bytes
    config: ImageConfig
    config_bytes: bytes
    layer_blobs: list[bytes]

    def blobs(self) -> dict[str, bytes]:
        """Every blob of the image by digest."""
        found = {self.manifest_descriptor.digest: self.manifest_bytes,
                 self.manifest.config.digest: self.config_bytes}
        found.update((d.digest, b) for d, b in zip(self.manifest.layers, self.layer_blobs,
                                                       strict=True))
        return found


def check_oci_layout(root: Path) -> None:
    where = f"{root}/{OCI_LAYOUT}"
    version = jsondoc.field(jsondoc.loads(read_small(root, OCI_LAYOUT, "file"), where),
                            "imageLayoutVersion", str, where)
    if version.split(".")[0] != "1":
        raise LayoutError(f"{where}: imageLayoutVersion {version!r} is not 1.x; this store "
                          f"reads layout version {mediatypes.OCI_LAYOUT_VERSION}")


def read_index(root: Path) -> list[Descriptor]:
    """The manifest descriptors of ``index.json`` (after checking ``oci-layout``)."""
    root = Path(root)
    if not root.is_dir():
        raise LayoutError(f"{root} is not a directory; give the directory of an OCI image "
                          "layout (made by 'save -o DIR')")
    check_oci_layout(root)
    return parse_index(read_small(root, INDEX_JSON, "file"), f"{root}/{INDEX_JSON}")


def load_image(root: Path, desc: Descriptor) -> LoadedImage:
    """Read and verify one image: manifest, config, layers (DiffIDs and tar safety)."""
    name = desc.annotations.get(mediatypes.REF_NAME)
    label = f"image {name}" if name else f"image {desc.digest[:19]}"
    manifest_bytes = read_blob(root, desc, f"manifest of {label}")
    manifest = Manifest.from_bytes(manifest_bytes, f"manifest of {label}")
    config_bytes = read_blob(root, manifest.config, f"config of {label}")
    config = ImageConfig.from_bytes(config_bytes, f"config of {label}")
    if len(config.diff_ids) != len(manifest.layers):
        raise LayoutError(f"{label}: the manifest lists {len(manifest.layers)} layers but "
                          f"the config's rootfs.diff_ids has {len(config.diff_ids)}")
    blobs = []
    for i, (layer, diff_id) in enumerate(zip(manifest.layers, config.diff_ids,
                                                     strict=True), 1):
        role = f"layer {i} of {label}"
        blob = read_blob(root, layer, role)
        check_layer(blob, layer, diff_id, role)
        blobs.append(blob)
    return LoadedImage(name, desc, manifest, manifest_bytes, config, config_bytes, blobs)


def check_layer(blob: bytes, desc: Descriptor, diff_id: str, role: str) -> bytes:
    """Uncompress a verified layer blob, check its DiffID and members; return the tar."""
    tar = uncompress(blob, mediatypes.LAYER_COMPRESSION[desc.media_type],
                     f"blob {desc.digest[:19]}.. ({role})")
    actual = sha256_digest(tar)
    if actual != diff_id:
        raise DigestMismatch(f"blob {desc.digest[:19]}.. ({role}): DiffID mismatch: the "
                             f"config says {diff_id}, the uncompressed tar hashes to "
                             f"{actual}")
    read_layer(tar, f"blob {desc.digest[:19]}.. ({role})")
    return tar


def read_layout(root: str | os.PathLike) -> list[LoadedImage]:
    """Every image of a layout, each fully verified (or an error naming what is wrong)."""
    root = Path(root)
    return [load_image(root, desc) for desc in read_index(root)]


def write_layout(target: str | os.PathLike, manifests: Iterable[Descriptor],
                 blobs: Callable[[], dict[str, bytes]]) -> None:
    """Write a layout of ``manifests`` (descriptors for index.json) and ``blobs()``.

    Written in a temporary directory beside ``target`` and renamed into place; the
    target must not exist or be an empty directory.
    """
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ImageError(f"{target} already exists and is not an empty directory; choose "
                         "a new directory for the layout (nothing was written)")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        (staging / OCI_LAYOUT).write_bytes(
            jsondoc.dumps({"imageLayoutVersion": mediatypes.OCI_LAYOUT_VERSION}))
        (staging / BLOBS / "sha256").mkdir(parents=True)
        for digest, data in sorted(blobs().items()):
            blob_path(staging, digest).write_bytes(data)
        (staging / INDEX_JSON).write_bytes(index_bytes(list(manifests)))
        os.rename(staging, target)  # replaces an empty directory too (rename(2))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
