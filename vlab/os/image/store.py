"""The image store: one OCI image layout on disk, shared blobs, images by name.

The store directory *is* an OCI image layout (``image-layout.md``): ``oci-layout``,
``blobs/sha256/<hex>`` and an ``index.json`` whose entries name images with the
``org.opencontainers.image.ref.name`` annotation.  Because blobs are named by content,
two images built on the same base hold one copy of each shared layer file, and
:meth:`ImageStore.remove` deletes only the blobs no remaining image (and no build-cache
entry) uses: reference counting by reachability, as ``docker rmi`` and ``ctr content
prune`` do.

Every read is verified (size and digest, :func:`vlab.os.image.layout.read_blob`);
every write is atomic: a blob is written to a temporary file and renamed to its digest
name, ``index.json`` likewise, and ``index.json`` is written last, so a crash leaves at
most unreferenced blobs (allowed by the spec; the next :meth:`~ImageStore.remove`
collects them), never a half-written image.  Changes are serialised by an exclusive
``flock(2)`` on the store's ``.lock`` file, so consecutive or concurrent CLI commands
see one consistent index.  (Simplified: a collection during another process's build
may delete that build's not-yet-named layers; the build then fails cleanly.)

Layer-store objects (:class:`vlab.os.fs.ImageLayer`) are made once per content: all
containers of all images that share a layer share one object
(:meth:`ImageStore.rootfs_layers`), the way overlayfs mounts share one lower directory.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import fcntl
import os
import re
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path

from vlab.os.fs import ImageLayer, WritableLayer
from vlab.os.fs.errors import FsError
from vlab.os.image import jsondoc, mediatypes
from vlab.os.image.config import ImageConfig
from vlab.os.image.descriptor import Descriptor
from vlab.os.image.digest import chain_id, sha256_digest
from vlab.os.image.errors import ImageError, ImageNotFound, LayoutError
from vlab.os.image.layertar import canonical_blob, layer_blob
from vlab.os.image.layout import (
    BLOBS,
    INDEX_JSON,
    OCI_LAYOUT,
    blob_path,
    check_layer,
    read_blob,
    read_index,
    read_layout,
    write_layout,
)
from vlab.os.image.manifest import Manifest, index_bytes
from vlab.os.image.names import normalize_name
from vlab.os.image.tarsafe import read_layer, to_image_layer

BUILD_CACHE = "vlab-build-cache.json"
_HEX = re.compile(r"^[a-f0-9]{64}$")
LOCK = ".lock"

#: One ImageLayer per blob digest while anyone holds it (shared by content).
_LAYERS: weakref.WeakValueDictionary[str, ImageLayer] = weakref.WeakValueDictionary()


@dataclass(frozen=True)
class LayerRef:
    """A layer in the store: its manifest descriptor (blob digest) and its DiffID."""

    descriptor: Descriptor
    diff_id: str

    @property
    def digest(self) -> str:
        return self.descriptor.digest


@dataclass(frozen=True)
class ImageRecord:
    """One named image: manifest (by digest), config, and the layers bottom first."""

    name: str
    digest: str
    manifest: Manifest
    config: ImageConfig

    @property
    def id(self) -> str:
        """The ImageID: the digest of the config (``config.md``, "ImageID")."""
        return self.manifest.config.digest

    @property
    def layers(self) -> list[LayerRef]:
        return [LayerRef(d, diff) for d, diff in zip(self.manifest.layers,
                                                     self.config.diff_ids, strict=True)]

    @property
    def chain_id(self) -> str | None:
        return chain_id(self.config.diff_ids)

    @property
    def size(self) -> int:
        """Bytes of the blobs of this image (config and layers as stored)."""
        return self.manifest.config.size + sum(d.size for d in self.manifest.layers)


class ImageStore:
    """Images by name in one OCI layout directory ``root`` (created if missing)."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        if self.root.exists() and not self.root.is_dir():
            raise ImageError(f"image store {self.root} exists and is not a directory; "
                             "choose a directory for the store")
        try:
            (self.root / BLOBS / "sha256").mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ImageError(f"cannot create the image store {self.root}: "
                             f"{error.strerror}") from None
        with self._locked():
            if not (self.root / OCI_LAYOUT).exists():
                self._atomic_write(OCI_LAYOUT, jsondoc.dumps(
                    {"imageLayoutVersion": mediatypes.OCI_LAYOUT_VERSION}))
            if not (self.root / INDEX_JSON).exists():
                self._atomic_write(INDEX_JSON, index_bytes([]))

    # ------------------------------------------------------------ files, atomically

    @contextlib.contextmanager
    def _locked(self):
        try:
            handle = open(self.root / LOCK, "a+")  # closed by the with below
        except OSError as error:
            raise ImageError(f"cannot lock the image store {self.root}: {error.strerror}"
                             ) from None
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _atomic_write(self, relative: str | Path, data: bytes) -> None:
        target = self.root / relative
        try:
            fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        except OSError as error:
            raise ImageError(f"cannot write in {target.parent}: {error.strerror}") from None
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, target)
        except BaseException as error:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            if isinstance(error, OSError):
                raise ImageError(f"cannot write {target}: {error.strerror}; nothing of "
                                 "this change is visible (free space or fix permissions)"
                                 ) from None
            raise

    def _put_blob(self, data: bytes) -> str:
        digest = sha256_digest(data)
        path = blob_path(self.root, digest)
        if not (path.is_file() and path.stat().st_size == len(data)
                and sha256_digest(path.read_bytes()) == digest):
            self._atomic_write(path.relative_to(self.root), data)
        return digest

    def _index(self) -> list[Descriptor]:
        return read_index(self.root)

    def _entry(self, name: str) -> Descriptor:
        name = normalize_name(name)
        for desc in self._index():
            if desc.annotations.get(mediatypes.REF_NAME) == name:
                return desc
        names = self.names()
        close = difflib.get_close_matches(name, names, n=1)
        hint = (f"did you mean {close[0]!r}?" if close else
                f"images: {', '.join(names)}" if names else "the store has no images")
        raise ImageNotFound(f"no image {name!r} in the store {self.root}; {hint} "
                            "(build one, or load it with 'load -i DIR')")

    # ------------------------------------------------------------ layers

    def add_layer(self, layer: bytes | ImageLayer | WritableLayer, *,
                  compress: bool = False) -> LayerRef:
        """Store a layer: an uncompressed tar (kept byte for byte), or a layer-store layer.

        A tar is checked like an imported one (:mod:`~vlab.os.image.tarsafe`); a
        :class:`WritableLayer` is frozen first (:meth:`commit_layer`).
        """
        if isinstance(layer, WritableLayer):
            try:
                layer = layer.commit()
            except FsError as error:
                raise ImageError(f"cannot freeze layer {layer.name!r}: {error}") from None
        if isinstance(layer, ImageLayer):
            packed = canonical_blob(layer, compress=compress)
        elif isinstance(layer, (bytes, bytearray)):
            to_image_layer(read_layer(bytes(layer), "new layer"), "new layer")
            packed = layer_blob(bytes(layer), compress=compress)
        else:
            raise ImageError(f"add_layer takes a tar (bytes), an ImageLayer or a "
                             f"WritableLayer, not {type(layer).__name__}")
        self._put_blob(packed.blob)
        if isinstance(layer, ImageLayer):
            _LAYERS.setdefault(packed.descriptor.digest, layer)
        return LayerRef(packed.descriptor, packed.diff_id)

    def commit_layer(self, upper: WritableLayer, *, compress: bool = False) -> LayerRef:
        """A new layer from a container's upper layer: its files, whiteouts, opaque dirs."""
        return self.add_layer(upper.commit(), compress=compress)

    def layer(self, ref: LayerRef, role: str = "layer") -> ImageLayer:
        """The layer-store object of a stored layer (blob verified on every call)."""
        blob = read_blob(self.root, ref.descriptor, role)
        cached = _LAYERS.get(ref.digest)
        if cached is not None:
            return cached
        tar = check_layer(blob, ref.descriptor, ref.diff_id, role)
        made = to_image_layer(read_layer(tar, role), role, name=ref.diff_id[7:19])
        return _LAYERS.setdefault(ref.digest, made)

    # ------------------------------------------------------------ images

    def add_image(self, name: str, layers: list[LayerRef], config: ImageConfig | None = None,
                  ) -> ImageRecord:
        """Name an image made of stored ``layers`` (bottom first) and ``config``.

        The layers decide ``rootfs.diff_ids``: a copy of ``config`` gets theirs, so a
        base image's config can be passed as it is with more layers added.  An image of
        that name is replaced, as ``docker build -t`` does.
        """
        name = normalize_name(name)
        config = dataclasses.replace(config or ImageConfig(),
                                     diff_ids=[ref.diff_id for ref in layers])
        for i, ref in enumerate(layers, 1):
            if not blob_path(self.root, ref.digest).is_file():
                raise ImageError(f"image {name}: layer {i} ({ref.digest[:19]}..) is not in "
                                 "the store; add it with add_layer() first")
        with self._locked():
            config_bytes = config.to_bytes()
            self._put_blob(config_bytes)
            manifest = Manifest(Descriptor.of(mediatypes.CONFIG, config_bytes),
                                [ref.descriptor for ref in layers])
            manifest_bytes = manifest.to_bytes()
            self._put_blob(manifest_bytes)
            desc = Descriptor.of(mediatypes.MANIFEST, manifest_bytes,
                                 {mediatypes.REF_NAME: name})
            self._set_names([(name, desc)])
        return ImageRecord(name, desc.digest, manifest, config)

    def _set_names(self, entries: list[tuple[str, Descriptor]]) -> None:
        """Point each name at its manifest descriptor; index.json written once (locked)."""
        replaced = {name for name, _ in entries}
        kept = [d for d in self._index()
                if d.annotations.get(mediatypes.REF_NAME) not in replaced]
        self._atomic_write(INDEX_JSON, index_bytes(kept + [d for _, d in entries]))

    def image(self, name: str) -> ImageRecord:
        """The named image, its manifest and config verified against their digests."""
        desc = self._entry(name)
        label = desc.annotations[mediatypes.REF_NAME]
        manifest = Manifest.from_bytes(read_blob(self.root, desc, f"manifest of image {label}"),
                                       f"manifest of image {label}")
        config = ImageConfig.from_bytes(
            read_blob(self.root, manifest.config, f"config of image {label}"),
            f"config of image {label}")
        if len(config.diff_ids) != len(manifest.layers):
            raise LayoutError(f"image {label}: manifest has {len(manifest.layers)} layers, "
                              f"config has {len(config.diff_ids)} diff_ids")
        return ImageRecord(label, desc.digest, manifest, config)

    def manifest(self, name: str) -> Manifest:
        return self.image(name).manifest

    def config(self, name: str) -> ImageConfig:
        return self.image(name).config

    def names(self) -> list[str]:
        return sorted(d.annotations.get(mediatypes.REF_NAME, d.digest) for d in self._index())

    def list(self) -> list[ImageRecord]:
        """Every named image, sorted by name."""
        return [self.image(name) for name in self.names()]

    def rootfs_layers(self, name: str) -> list[ImageLayer]:
        """The image's layers as layer-store objects, *topmost first* (``Overlay`` order).

        ``Overlay(WritableLayer(), store.rootfs_layers(name))`` is a container's root
        file system: whiteouts and opaque markers apply as ``layer.md`` says.
        """
        record = self.image(name)
        layers = [self.layer(ref, f"layer {i} of image {record.name}")
                  for i, ref in enumerate(record.layers, 1)]
        return layers[::-1]

    def tag(self, source: str, target: str) -> ImageRecord:
        """A second name for the same manifest (``docker tag``)."""
        desc = self._entry(source)
        target = normalize_name(target)
        with self._locked():
            self._set_names([(target, Descriptor(
                desc.media_type, desc.digest, desc.size, {mediatypes.REF_NAME: target}))])
        return self.image(target)

    def remove(self, name: str) -> list[str]:
        """Forget an image; delete the blobs nothing else uses.  Returns the deleted digests."""
        desc = self._entry(name)
        with self._locked():
            kept = [d for d in self._index() if d != desc or d.annotations != desc.annotations]
            self._atomic_write(INDEX_JSON, index_bytes(kept))
            return self._collect()

    # ------------------------------------------------------------ garbage collection

    def _reachable(self) -> set[str]:
        reachable: set[str] = set()
        for desc in self._index():
            reachable.add(desc.digest)
            path = blob_path(self.root, desc.digest)
            if not path.is_file():
                continue
            try:
                manifest = Manifest.from_bytes(path.read_bytes(), f"manifest {desc.digest}")
            except ImageError:
                continue  # a damaged manifest: keep what we can, read() reports it
            reachable.add(manifest.config.digest)
            reachable.update(d.digest for d in manifest.layers)
        reachable.update(entry["digest"] for entry in self._build_cache().values())
        return reachable

    def _collect(self) -> list[str]:
        reachable = self._reachable()
        deleted = []
        for path in sorted((self.root / BLOBS / "sha256").iterdir()):
            digest = "sha256:" + path.name
            if _HEX.match(path.name) and digest not in reachable:  # not a write in flight
                path.unlink()
                deleted.append(digest)
        return deleted

    # ------------------------------------------------------------ build cache

    def _build_cache(self) -> dict[str, dict]:
        path = self.root / BUILD_CACHE
        if not path.exists():
            return {}
        return jsondoc.loads(path.read_bytes(), str(path))

    def cache_get(self, key: str) -> LayerRef | None:
        """The layer a build step with this cache key made before (blob still present)."""
        entry = self._build_cache().get(key)
        if entry is None:
            return None
        desc = Descriptor.from_json(entry, f"build cache entry {key[:19]}")
        if not blob_path(self.root, desc.digest).is_file():
            return None
        return LayerRef(desc, entry["diff_id"])

    def cache_put(self, key: str, ref: LayerRef) -> None:
        """Remember that the build step ``key`` made layer ``ref`` (kept from collection)."""
        with self._locked():
            cache = self._build_cache()
            cache[key] = {**ref.descriptor.to_json(), "diff_id": ref.diff_id}
            self._atomic_write(BUILD_CACHE, jsondoc.dumps(cache))

    def prune_cache(self) -> list[str]:
        """Forget the build cache and delete the blobs only it kept."""
        with self._locked():
            self._atomic_write(BUILD_CACHE, jsondoc.dumps({}))
            return self._collect()

    # ------------------------------------------------------------ save / load

    def export(self, names: str | list[str], target: str | os.PathLike) -> None:
        """Write the named images as a new OCI layout directory ``target`` (``save -o``)."""
        wanted = [names] if isinstance(names, str) else list(dict.fromkeys(names))
        records = [self.image(n) for n in wanted]
        blobs: dict[str, bytes] = {}
        manifests = []
        for record in records:
            desc = self._entry(record.name)
            blobs[desc.digest] = read_blob(self.root, desc, f"manifest of image {record.name}")
            blobs[record.id] = read_blob(self.root, record.manifest.config,
                                         f"config of image {record.name}")
            for i, ref in enumerate(record.layers, 1):
                blobs[ref.digest] = read_blob(self.root, ref.descriptor,
                                              f"layer {i} of image {record.name}")
            manifests.append(desc)
        write_layout(target, manifests, lambda: blobs)

    def import_layout(self, source: str | os.PathLike, name: str | None = None) -> list[str]:
        """Load every image of an OCI layout (``load -i``); returns the names added.

        Everything is verified before anything is written.  ``name`` renames the image
        of a one-image layout (needed when its index entry has no ref.name annotation).
        """
        images = read_layout(source)
        if not images:
            raise LayoutError(f"{source}/index.json lists no images")
        if name is not None and len(images) != 1:
            raise ImageError(f"{source} holds {len(images)} images; a name can be given "
                             "only for a layout with one image")
        entries = []
        for image in images:
            chosen = name or image.name
            if not chosen:
                raise LayoutError(
                    f"{source}: image {image.manifest_descriptor.digest[:19]}.. has no "
                    f"{mediatypes.REF_NAME} annotation; give it a name (load with a name)")
            chosen = normalize_name(chosen)
            if chosen in [n for n, _ in entries]:
                raise LayoutError(f"{source}/index.json names two images {chosen!r}; "
                                  "each ref.name may appear once")
            entries.append((chosen, image))
        with self._locked():
            for _, image in entries:
                for data in image.blobs().values():
                    self._put_blob(data)
            self._set_names([(n, Descriptor(
                mediatypes.MANIFEST, img.manifest_descriptor.digest,
                img.manifest_descriptor.size, {mediatypes.REF_NAME: n}))
                for n, img in entries])
        return [n for n, _ in entries]

