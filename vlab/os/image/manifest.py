"""The image manifest and the image index (``manifest.md``, ``image-index.md``).

A *manifest* (``application/vnd.oci.image.manifest.v1+json``, ``schemaVersion`` 2)
points at one config and an ordered list of layers, bottom layer first.  An *index*
(``application/vnd.oci.image.index.v1+json``) lists manifests; the ``index.json`` of an
image layout is one, and the ``org.opencontainers.image.ref.name`` annotation of each
entry is the image's name (its "tag").
"""

from __future__ import annotations

from dataclasses import dataclass

from vlab.os.image import jsondoc, mediatypes
from vlab.os.image.descriptor import Descriptor
from vlab.os.image.errors import LayoutError


@dataclass
class Manifest:
    """An image manifest: a config descriptor and layer descriptors (bottom first)."""

    config: Descriptor
    layers: list[Descriptor]
    annotations: dict[str, str] | None = None

    def to_json(self) -> dict:
        obj = {"schemaVersion": 2, "mediaType": mediatypes.MANIFEST,
               "config": self.config.to_json(), "layers": [d.to_json() for d in self.layers]}
        if self.annotations:
            obj["annotations"] = dict(self.annotations)
        return obj

    def to_bytes(self) -> bytes:
        return jsondoc.dumps(self.to_json())

    @classmethod
    def from_bytes(cls, data: bytes, where: str) -> Manifest:
        obj = jsondoc.loads(data, where)
        _check_schema(obj, mediatypes.MANIFEST, where)
        config = Descriptor.from_json(jsondoc.field(obj, "config", dict, where),
                                      f"{where} config")
        if config.media_type != mediatypes.CONFIG:
            raise LayoutError(f"{where}: config mediaType {config.media_type!r} is not "
                              f"{mediatypes.CONFIG!r}; this is not a container image")
        layers = [Descriptor.from_json(d, f"{where} layer {i + 1}")
                  for i, d in enumerate(jsondoc.field(obj, "layers", list, where))]
        for i, layer in enumerate(layers):
            if layer.media_type not in mediatypes.LAYER_COMPRESSION:
                raise LayoutError(
                    f"{where}: layer {i + 1} has media type {layer.media_type!r}; this "
                    f"store reads {sorted(mediatypes.LAYER_COMPRESSION)} (recompress the "
                    "layer as tar or tar+gzip)")
        return cls(config, layers, jsondoc.field(obj, "annotations", dict, where,
                                                 required=False))


def index_bytes(manifests: list[Descriptor]) -> bytes:
    """The bytes of an image index listing ``manifests``."""
    return jsondoc.dumps({"schemaVersion": 2, "mediaType": mediatypes.INDEX,
                          "manifests": [d.to_json() for d in manifests]})


def parse_index(data: bytes, where: str) -> list[Descriptor]:
    """The manifest descriptors of an image index (nested indexes are refused)."""
    obj = jsondoc.loads(data, where)
    _check_schema(obj, mediatypes.INDEX, where)
    found = [Descriptor.from_json(d, f"{where} manifests[{i}]")
             for i, d in enumerate(jsondoc.field(obj, "manifests", list, where))]
    for i, desc in enumerate(found):
        if desc.media_type != mediatypes.MANIFEST:
            raise LayoutError(f"{where}: manifests[{i}] has media type {desc.media_type!r}; "
                              f"this store reads image manifests ({mediatypes.MANIFEST}) "
                              "only, not nested indexes or artifacts")
    return found


def _check_schema(obj: dict, media_type: str, where: str) -> None:
    if obj.get("schemaVersion") != 2:
        raise LayoutError(f"{where}: schemaVersion is {obj.get('schemaVersion')!r}; "
                          "the spec requires 2")
    if obj.get("mediaType", media_type) != media_type:
        raise LayoutError(f"{where}: mediaType is {obj.get('mediaType')!r}, expected "
                          f"{media_type!r}")
