"""Descriptors: the typed, sized, content-addressed pointer of every OCI document.

``descriptor.md`` (image-spec v1.1): a descriptor is a JSON object with a
``mediaType`` (REQUIRED), a ``digest`` (REQUIRED), a ``size`` in bytes (REQUIRED, an
int64) and optional ``annotations`` (string to string).  A reader must check both the
digest and the size of what it fetches ("Digests", "Size"): :func:`verify` does, and
names the blob and its role when they disagree.  Other optional fields (``urls``,
``platform``, ``artifactType``) are kept as they are in :attr:`Descriptor.extra`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vlab.os.image.digest import check_digest, sha256_digest
from vlab.os.image.errors import DigestMismatch, LayoutError

MAX_SIZE = 2**63 - 1  # int64 (descriptor.md, "size")


@dataclass(frozen=True)
class Descriptor:
    """A pointer to a blob: what it is, its digest, its size."""

    media_type: str
    digest: str
    size: int
    annotations: dict[str, str] = field(default_factory=dict, compare=False)
    extra: dict = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, media_type: str, data: bytes, annotations: dict[str, str] | None = None
           ) -> Descriptor:
        """The descriptor of ``data``."""
        return cls(media_type, sha256_digest(data), len(data), dict(annotations or {}))

    def to_json(self) -> dict:
        obj = {"mediaType": self.media_type, "digest": self.digest, "size": self.size}
        obj.update(self.extra)
        if self.annotations:
            obj["annotations"] = dict(sorted(self.annotations.items()))
        return obj

    @classmethod
    def from_json(cls, obj: object, where: str) -> Descriptor:
        """Check and read a descriptor object; ``where`` names it in errors."""
        if not isinstance(obj, dict):
            raise LayoutError(f"{where}: a descriptor is a JSON object, got {_kind(obj)}")
        for key in ("mediaType", "digest", "size"):
            if key not in obj:
                raise LayoutError(f"{where}: descriptor lacks the REQUIRED field {key!r}")
        media_type, size = obj["mediaType"], obj["size"]
        if not isinstance(media_type, str) or "/" not in media_type:
            raise LayoutError(f"{where}: mediaType {media_type!r} is not a media type "
                              "(e.g. 'application/vnd.oci.image.manifest.v1+json')")
        if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= MAX_SIZE:
            raise LayoutError(f"{where}: size {size!r} is not a byte count (an integer >= 0)")
        annotations = obj.get("annotations") or {}
        if not isinstance(annotations, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in annotations.items()):
            raise LayoutError(f"{where}: annotations must map strings to strings")
        extra = {k: v for k, v in obj.items()
                 if k not in ("mediaType", "digest", "size", "annotations")}
        return cls(media_type, check_digest(obj["digest"], f"{where} digest"), size,
                   dict(annotations), extra)

    def verify(self, data: bytes, role: str) -> bytes:
        """Return ``data`` if its size and digest are this descriptor's, else refuse it.

        ``role`` says what the blob is for ("layer 2 of image hello:latest"), so the
        error names the blob and why it mattered.
        """
        short = self.digest[:19]
        if len(data) != self.size:
            raise DigestMismatch(f"blob {short}.. ({role}): size mismatch: descriptor says "
                                 f"{self.size} bytes, blob has {len(data)}; the blob is "
                                 "truncated or replaced, fetch the image again")
        actual = sha256_digest(data)
        if actual != self.digest:
            raise DigestMismatch(f"blob {short}.. ({role}): digest mismatch: expected "
                                 f"{self.digest}, got {actual}; the blob is corrupted, "
                                 "fetch the image again")
        return data


def _kind(obj: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", type(None): "null"}.get(
        type(obj), type(obj).__name__)
