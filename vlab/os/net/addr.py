"""Socket addresses in user memory: ``struct sockaddr_un`` and ``struct sockaddr_in``.

Layouts as in musl's ``sys/un.h`` and ``netinet/in.h`` (man 7 unix, man 7 ip):

* ``sockaddr_un``: ``sa_family_t sun_family`` (u16, host order) then ``char
  sun_path[108]``.  A path that starts with a NUL byte is an *abstract* name (its bytes
  up to the given length, man 7 unix); otherwise the path ends at the first NUL.
  An address of just the family (length 2) is *unnamed*.
* ``sockaddr_in`` (16 bytes): ``sin_family`` (u16, host order), ``sin_port`` (u16,
  network order = big endian), ``sin_addr`` (4 bytes, network order), 8 bytes of zero.

``parse`` reads what the caller passed (``bind``, ``connect``, ``sendto``); ``store``
writes an address back through the value-result ``socklen_t *addrlen`` of ``accept``,
``getsockname``, ``recvfrom``: truncated to the caller's room, the full length stored.
"""

from __future__ import annotations

import struct

from ..errno import EINVAL, SyscallError
from .errnos import EAFNOSUPPORT

AF_UNIX, AF_INET, AF_INET6 = 1, 2, 10
SUN_PATH_MAX = 108
SOCKADDR_UN_SIZE = 2 + SUN_PATH_MAX
SOCKADDR_IN = struct.Struct("<H2s4s8x")      # family, port (BE), addr (BE), zero
MAX_ADDRLEN = 128                              # sizeof(struct sockaddr_storage)


def _family(space, address: int, length: int) -> int:
    if length < 2 or length > MAX_ADDRLEN:
        raise SyscallError(EINVAL, f"address length {length} (at least 2, at most 128)")
    return struct.unpack("<H", space.read(address, 2))[0]


def parse_unix(space, address: int, length: int) -> bytes:
    """The name in a sockaddr_un: path bytes (no NUL), or b"\\0..." for an abstract one,
    or b"" for an unnamed address."""
    family = _family(space, address, length)
    if family != AF_UNIX:
        raise SyscallError(EINVAL, f"address family {family} given to an AF_UNIX socket")
    if length > SOCKADDR_UN_SIZE:
        raise SyscallError(EINVAL, f"sockaddr_un of {length} bytes (at most 110)")
    path = space.read(address + 2, length - 2)
    if path[:1] == b"\0":
        return path                                  # abstract: every byte counts
    return path.split(b"\0", 1)[0]


def pack_unix(name: bytes) -> bytes:
    """The sockaddr_un for ``name``, with the length Linux reports for it."""
    if not name:
        return struct.pack("<H", AF_UNIX)
    tail = name if name[:1] == b"\0" else name + b"\0"
    return struct.pack("<H", AF_UNIX) + tail


def parse_inet(space, address: int, length: int) -> tuple[str, int]:
    """(dotted address, port) of a sockaddr_in."""
    family = _family(space, address, length)
    if family != AF_INET:
        raise SyscallError(EAFNOSUPPORT, f"address family {family} given to an AF_INET "
                                         "socket (only AF_INET = 2)")
    if length < SOCKADDR_IN.size:
        raise SyscallError(EINVAL, f"sockaddr_in of {length} bytes (needs 16)")
    _, port, ip, = SOCKADDR_IN.unpack(space.read(address, SOCKADDR_IN.size))
    return ".".join(str(b) for b in ip), int.from_bytes(port, "big")


def pack_inet(ip: str, port: int) -> bytes:
    return SOCKADDR_IN.pack(AF_INET, port.to_bytes(2, "big"),
                            bytes(int(part) for part in ip.split(".")))


def store(space, address: int, lenptr: int, packed: bytes) -> None:
    """Copy ``packed`` out through (``address``, ``*lenptr``); NULL ``address`` skips it."""
    if address == 0:
        return
    room = struct.unpack("<I", space.read(lenptr, 4))[0]
    if room > 0x7FFF_FFFF:
        raise SyscallError(EINVAL, f"negative address length {room - (1 << 32)}")
    space.write(address, packed[:room])
    space.write(lenptr, struct.pack("<I", len(packed)))
