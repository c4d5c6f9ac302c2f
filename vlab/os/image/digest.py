"""Content addresses: digests, DiffIDs and ChainIDs (image-spec ``descriptor.md``, ``config.md``).

A *digest* names bytes by their hash: ``algorithm ":" encoded``, here always
``sha256:`` followed by 64 lower-case hex digits (``descriptor.md``, "Digests": the
registered ``sha256`` algorithm's encoded part matches ``/[a-f0-9]{64}/``).  Three
identities of a layer follow from it (``config.md``, "Layer DiffID", "Layer ChainID"):

============  ==================================================================
name          what is hashed
============  ==================================================================
digest        the blob as stored (compressed, for a ``tar+gzip`` layer)
DiffID        the *uncompressed* tar: the same for the gzip and the plain blob
ChainID       the stack up to this layer: ``ChainID(L0) = DiffID(L0)``,
              ``ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln))``
============  ==================================================================

Two images that share a base share its ChainIDs, which is what a layer cache and a
build cache key on.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from vlab.os.image.errors import LayoutError

ALGORITHM = "sha256"
_DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")


def sha256_digest(data: bytes) -> str:
    """``sha256:<hex>`` of ``data``."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def check_digest(value: object, where: str) -> str:
    """Return ``value`` if it is a well-formed sha256 digest, else a :class:`LayoutError`.

    Only sha256 is accepted (the spec also registers sha512; this store writes and reads
    sha256 only), so the hex part is also a safe file name under ``blobs/sha256/``.
    """
    if not isinstance(value, str) or not _DIGEST.match(value):
        raise LayoutError(f"{where}: {value!r} is not a sha256 digest; expected "
                          "'sha256:' followed by 64 lower-case hex digits")
    return value


def encoded(digest: str) -> str:
    """The hex part of a digest: the blob's file name under ``blobs/sha256/``."""
    return digest.split(":", 1)[1]


def chain_ids(diff_ids: Sequence[str]) -> list[str]:
    """The ChainID of every prefix of a layer stack, bottom layer first (``config.md``)."""
    chain: list[str] = []
    for diff_id in diff_ids:
        chain.append(diff_id if not chain else sha256_digest(f"{chain[-1]} {diff_id}".encode()))
    return chain


def chain_id(diff_ids: Sequence[str]) -> str | None:
    """The ChainID of the whole stack (``None`` for no layers: ``FROM scratch``)."""
    chain = chain_ids(diff_ids)
    return chain[-1] if chain else None
