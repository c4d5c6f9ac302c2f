"""JSON documents of an image: one canonical encoding, and reading with clear errors.

A manifest or config is named by the digest of its bytes, so the same document must
always give the same bytes: keys sorted, no whitespace, UTF-8 (the spec allows any
whitespace, ``config.md``; this store picks one form so its digests are reproducible).
Reading checks the size (:data:`MAX_DOCUMENT_BYTES`), the JSON and the type of each
field, and names the document in every error.
"""

from __future__ import annotations

import json

from vlab.os.image.errors import LayoutError

#: A manifest, index or config larger than this is refused (real ones are a few KiB;
#: registries cap manifests at 4 MiB).
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024


def dumps(obj: object) -> bytes:
    """The canonical bytes of a JSON document."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def loads(data: bytes, where: str) -> dict:
    """Parse a JSON object; ``where`` names the document in errors."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise LayoutError(f"{where}: {len(data)} bytes is too large for a JSON document "
                          f"(limit {MAX_DOCUMENT_BYTES})")
    try:
        obj = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise LayoutError(f"{where}: not UTF-8 text ({error.reason} at byte "
                          f"{error.start})") from None
    except json.JSONDecodeError as error:
        raise LayoutError(f"{where}: bad JSON at line {error.lineno} column {error.colno}: "
                          f"{error.msg}") from None
    if not isinstance(obj, dict):
        raise LayoutError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    return obj


def field(obj: dict, key: str, kind: type | tuple, where: str, *, required: bool = True,
          default=None):
    """``obj[key]`` checked to be of ``kind``; absent or null gives ``default`` if optional."""
    value = obj.get(key)
    if value is None:
        if required:
            raise LayoutError(f"{where}: the REQUIRED field {key!r} is missing")
        return default
    if isinstance(value, bool) and kind is int or not isinstance(value, kind):
        raise LayoutError(f"{where}: field {key!r} has the wrong type "
                          f"({type(value).__name__}: {str(value)[:60]!r})")
    return value


def string_list(obj: dict, key: str, where: str) -> list[str] | None:
    """An optional array of strings (Env, Entrypoint, Cmd)."""
    value = field(obj, key, list, where, required=False)
    if value is not None and not all(isinstance(item, str) for item in value):
        raise LayoutError(f"{where}: field {key!r} must be an array of strings")
    return value
