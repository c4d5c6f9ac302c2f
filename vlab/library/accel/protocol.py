"""The wire format of a remoted API call and of its reply: plain bytes, checked on receipt.

vCUDA's front end "packs the function name and parameters into a buffer" that the back
end unpacks and executes (Shi et al., IPDPS 2009, sec. 4.2); rCUDA sends the same kind
of message over a TCP socket (Duato et al., HPCS 2010, sec. IV).  Here::

    request = header | args | payload      header = "VCU1", op u16, nargs u16, length u32
    reply   = header | values | payload    header = "VCR1", CUresult u16, nvals u16, length u32

each argument is a tag byte (``u`` count, ``p`` device pointer, ``f`` float32) padded to
4 bytes and a 32-bit value, each value a u32; the payload is the data of a copy, a kernel
name, or the text of an error.  Little-endian throughout.  Whatever arrives is checked:
a short, oversized or inconsistent message raises :class:`ProtocolError` naming the
problem, which the back end turns into an error reply.
"""

from __future__ import annotations

import struct
from enum import IntEnum

REQUEST_MAGIC = b"VCU1"
REPLY_MAGIC = b"VCR1"
HEADER = struct.Struct("<4sHHI")
ARG = struct.Struct("<c3xI")
VALUE = struct.Struct("<I")
MAX_ARGS = 16
MAX_PAYLOAD = 64 << 20


class Op(IntEnum):
    """One number per API function that crosses the channel."""

    cuInit = 1
    cuMemAlloc = 2
    cuMemFree = 3
    cuMemcpyHtoD = 4
    cuMemcpyDtoH = 5
    cuModuleGetFunction = 6
    cuLaunchKernel = 7
    cuCtxSynchronize = 8
    cuCtxDestroy = 9


class ProtocolError(ValueError):
    """A malformed message; the text says what is wrong with it."""


def _f32_bits(value: float) -> int:
    return struct.unpack("<I", struct.pack("<f", value))[0]


def encode_request(op: Op, args=(), payload: bytes = b"") -> bytes:
    """``args``: (tag, value) pairs, tag one of 'u', 'p', 'f'."""
    parts = [HEADER.pack(REQUEST_MAGIC, int(op), len(args), len(payload))]
    for tag, value in args:
        bits = _f32_bits(value) if tag == "f" else int(value) & 0xFFFF_FFFF
        parts.append(ARG.pack(tag.encode(), bits))
    parts.append(payload)
    return b"".join(parts)


def decode_request(message: bytes) -> tuple[Op, list, bytes]:
    """(op, [(tag, value)...], payload) of a request, or ProtocolError."""
    magic, op, nargs, length = _header(message, REQUEST_MAGIC, "request")
    try:
        op = Op(op)
    except ValueError:
        raise ProtocolError(f"request for unknown operation {op}; known: "
                            f"{', '.join(f'{o.value}={o.name}' for o in Op)}") from None
    if nargs > MAX_ARGS:
        raise ProtocolError(f"{op.name}: {nargs} arguments, at most {MAX_ARGS}")
    _check_length(message, HEADER.size + nargs * ARG.size, length, op.name)
    args = []
    for i in range(nargs):
        tag, bits = ARG.unpack_from(message, HEADER.size + i * ARG.size)
        tag = tag.decode("latin-1")
        if tag not in "upf" or len(tag) != 1:
            raise ProtocolError(f"{op.name}: argument {i} has unknown tag {tag!r} "
                                "(expected u, p or f)")
        value = struct.unpack("<f", struct.pack("<I", bits))[0] if tag == "f" else bits
        args.append((tag, value))
    return op, args, message[HEADER.size + nargs * ARG.size:]


def encode_reply(result: int, values=(), payload: bytes = b"") -> bytes:
    parts = [HEADER.pack(REPLY_MAGIC, int(result), len(values), len(payload))]
    parts += [VALUE.pack(int(v) & 0xFFFF_FFFF) for v in values]
    parts.append(payload)
    return b"".join(parts)


def decode_reply(message: bytes) -> tuple[int, list[int], bytes]:
    magic, result, nvals, length = _header(message, REPLY_MAGIC, "reply")
    if nvals > MAX_ARGS:
        raise ProtocolError(f"reply with {nvals} values, at most {MAX_ARGS}")
    _check_length(message, HEADER.size + nvals * VALUE.size, length, "reply")
    values = [VALUE.unpack_from(message, HEADER.size + 4 * i)[0] for i in range(nvals)]
    return result, values, message[HEADER.size + nvals * VALUE.size:]


def _header(message: bytes, magic: bytes, what: str):
    if not isinstance(message, (bytes, bytearray)):
        raise ProtocolError(f"a {what} must be bytes, not {type(message).__name__}")
    if len(message) < HEADER.size:
        raise ProtocolError(f"{what} of {len(message)} bytes is shorter than its "
                            f"{HEADER.size}-byte header")
    fields = HEADER.unpack_from(message)
    if fields[0] != magic:
        raise ProtocolError(f"{what} starts with {fields[0]!r}, expected {magic!r}")
    if fields[3] > MAX_PAYLOAD:
        raise ProtocolError(f"{what} announces a {fields[3]}-byte payload, at most "
                            f"{MAX_PAYLOAD}")
    return fields


def _check_length(message: bytes, fixed: int, length: int, what: str) -> None:
    if len(message) != fixed + length:
        raise ProtocolError(f"{what}: message is {len(message)} bytes, its header "
                            f"announces {fixed + length}")
