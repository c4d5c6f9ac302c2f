"""Device and CPU state as JSON: a small tagged encoding for what JSON lacks.

The state dictionaries of vlab/isa/hart.py, vlab/isa/csr.py and the devices'
``STATE`` tuples (vlab/host/devices/state.py) hold plain data -- integers of any size,
strings, booleans, None, lists and dicts -- plus a few Python types JSON has no word for.
Each of those becomes a one-key object whose key names the type:

===============  ===================================  ==============================
Python           JSON                                 example
===============  ===================================  ==============================
bytes            ``{"$bytes": "<base64>"}``           UART output, HTIF console
bytearray        ``{"$bytearray": "<base64>"}``       block-device image
tuple            ``{"$tuple": [...]}``                HTIF addresses
collections.deque ``{"$deque": [...]}``               pending HTIF replies
dict, a key not  ``{"$dict": [[key, value], ...]}``   PMP registers by number
a string
===============  ===================================  ==============================

Anything else is refused with its type and its place in the structure.
"""
from __future__ import annotations

import base64
import json
from collections import deque


class PlainDataError(ValueError):
    """A value with no encoding, or a malformed encoded value."""


def encode(value, where: str = 'state'):
    """``value`` as JSON-compatible data (see the module docstring)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, bytes):
        return {'$bytes': base64.b64encode(value).decode('ascii')}
    if isinstance(value, bytearray):
        return {'$bytearray': base64.b64encode(bytes(value)).decode('ascii')}
    if isinstance(value, tuple):
        return {'$tuple': [encode(v, f'{where}[{i}]') for i, v in enumerate(value)]}
    if isinstance(value, deque):
        return {'$deque': [encode(v, f'{where}[{i}]') for i, v in enumerate(value)]}
    if isinstance(value, list):
        return [encode(v, f'{where}[{i}]') for i, v in enumerate(value)]
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith('$') for k in value):
            return {k: encode(v, f'{where}.{k}') for k, v in value.items()}
        return {'$dict': [[encode(k, where), encode(v, f'{where}[{k!r}]')]
                          for k, v in value.items()]}
    raise PlainDataError(f'{where}: a {type(value).__name__} cannot be saved in a '
                         'snapshot (plain data only)')


DECODERS = {
    '$bytes': lambda v: base64.b64decode(v),
    '$bytearray': lambda v: bytearray(base64.b64decode(v)),
    '$tuple': lambda v: tuple(decode(x) for x in v),
    '$deque': lambda v: deque(decode(x) for x in v),
    '$dict': lambda v: {decode(k): decode(x) for k, x in v},
}


def decode(value):
    """The inverse of :func:`encode`."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1:
            (key, inner), = value.items()
            if key in DECODERS:
                try:
                    return DECODERS[key](inner)
                except (TypeError, ValueError) as exc:
                    raise PlainDataError(f'malformed {key} value: {exc}') from None
        return {k: decode(v) for k, v in value.items()}
    return value


def dumps(value, where: str = 'state') -> bytes:
    return json.dumps(encode(value, where), sort_keys=True).encode('utf-8')


def loads(data: bytes, where: str = 'state'):
    try:
        return decode(json.loads(data.decode('utf-8')))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PlainDataError(f'{where}: not valid JSON ({exc})') from None


__all__ = ['PlainDataError', 'decode', 'dumps', 'encode', 'loads']
