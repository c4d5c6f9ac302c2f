"""Socket system calls: the ``net/`` package as the RV32 Linux ABI (``net/socket.c``).

RV32 Linux has one system call per socket operation (no ``socketcall``); their numbers
are in ``unistd.py``.  Each handler finds the descriptor (EBADF), checks it is a socket
(ENOTSOCK), copies addresses in and out of user memory (``net/addr.py``; EFAULT on a bad
pointer, from the address space) and calls the socket's method (``net/socket.py``,
``net/unix.py``, ``net/udp.py``).

Families and types (man 2 socket): AF_UNIX with SOCK_STREAM, and AF_INET with
SOCK_DGRAM (protocol 0 or IPPROTO_UDP), on the loopback of the caller's network
namespace.  Another family is EAFNOSUPPORT; another type of a modeled family is
EPROTONOSUPPORT (TCP, SOCK_SEQPACKET and AF_UNIX datagrams are not modeled); each says
why.  ``SOCK_NONBLOCK``/``SOCK_CLOEXEC`` may be or-ed into the type.

``sendmsg``/``recvmsg`` take a ``struct msghdr`` (musl's rv32 layout: name, namelen,
iov, iovlen, control, controllen, flags -- 7 words) with a simple iovec list; ancillary
data (control messages such as SCM_RIGHTS) is not modeled: sendmsg ignores it and
recvmsg reports ``msg_controllen = 0``.
"""

from __future__ import annotations

import struct

from .errno import EFAULT, EINVAL, SyscallError
from .net import addr
from .net.errnos import EAFNOSUPPORT, EMSGSIZE, ENOTSOCK, EOPNOTSUPP, EPROTONOSUPPORT
from .net.socket import (
    MSG_TRUNC,
    SOCK_CLOEXEC,
    SOCK_DGRAM,
    SOCK_NONBLOCK,
    SOCK_STREAM,
    Socket,
)
from .net.udp import MAX_DATAGRAM, udp_socket
from .net.unix import UnixStream, socketpair
from .sysfile import IOV_MAX, IOVEC, MAX_RW_COUNT, RW_CHUNK
from .waitq import Blocked

IPPROTO_UDP = 17
MSGHDR = struct.Struct("<IIIiIIi")
TYPE_FLAGS = SOCK_NONBLOCK | SOCK_CLOEXEC
FAMILY_NAMES = {addr.AF_UNIX: "AF_UNIX", addr.AF_INET: "AF_INET", addr.AF_INET6: "AF_INET6"}


def _unix(kernel, proc, kind, protocol, flags):
    if kind != SOCK_STREAM:
        raise SyscallError(EPROTONOSUPPORT, f"AF_UNIX socket type {kind}: only "
                                            "SOCK_STREAM (1) is modeled")
    if protocol != 0:
        raise SyscallError(EPROTONOSUPPORT, f"AF_UNIX protocol {protocol} (must be 0)")
    return UnixStream(flags)


def _inet(kernel, proc, kind, protocol, flags):
    if kind != SOCK_DGRAM:
        raise SyscallError(EPROTONOSUPPORT, f"AF_INET socket type {kind}: only "
                                            "SOCK_DGRAM (UDP) is modeled, not TCP")
    if protocol not in (0, IPPROTO_UDP):
        raise SyscallError(EPROTONOSUPPORT, f"AF_INET datagram protocol {protocol} "
                                            "(0 or IPPROTO_UDP = 17)")
    return udp_socket(kernel, proc, flags)


FAMILIES = {addr.AF_UNIX: _unix, addr.AF_INET: _inet}


def _split_type(kind: int) -> tuple[int, int]:
    if kind & ~(TYPE_FLAGS | 0xF):
        raise SyscallError(EINVAL, f"socket type flags {kind:#x}")
    return kind & 0xF, kind & TYPE_FLAGS


def _install(proc, sock: Socket, flags: int) -> int:
    return proc.files.install(sock, bool(flags & SOCK_CLOEXEC))


def sock_of(proc, fd: int) -> Socket:
    file = proc.files.get(fd)
    if not isinstance(file, Socket):
        raise SyscallError(ENOTSOCK, f"descriptor {fd} is not a socket")
    return file


def sys_socket(kernel, proc, family, kind, protocol, *_):
    make = FAMILIES.get(family)
    if make is None:
        name = FAMILY_NAMES.get(family, str(family))
        raise SyscallError(EAFNOSUPPORT, f"address family {name}: only AF_UNIX (1) and "
                                         "AF_INET (2) are modeled")
    base, flags = _split_type(kind)
    return _install(proc, make(kernel, proc, base, protocol, flags), flags)


def sys_socketpair(kernel, proc, family, kind, protocol, sv, *_):
    base, flags = _split_type(kind)
    if family != addr.AF_UNIX:
        raise SyscallError(EAFNOSUPPORT if family not in FAMILIES else EOPNOTSUPP,
                           f"socketpair of family {family}: only AF_UNIX")
    _unix(kernel, proc, base, protocol, flags)        # the same checks as socket()
    if proc.space.writable_prefix(sv, 8) < 8:
        raise SyscallError(EFAULT, f"socketpair: {sv:#x} cannot hold two descriptors")
    a, b = socketpair(flags)
    fa = _install(proc, a, flags)
    try:
        fb = _install(proc, b, flags)
    except SyscallError:
        proc.files.close(fa)
        raise
    proc.space.write(sv, struct.pack("<ii", fa, fb))
    return 0


def sys_bind(kernel, proc, fd, address, length, *_):
    sock_of(proc, fd).bind(kernel, proc, address, length)
    return 0


def sys_listen(kernel, proc, fd, backlog, *_):
    sock_of(proc, fd).listen((backlog ^ 0x8000_0000) - 0x8000_0000)
    return 0


def sys_connect(kernel, proc, fd, address, length, *_):
    sock_of(proc, fd).connect(kernel, proc, address, length)
    return 0


def sys_accept4(kernel, proc, fd, address, lenptr, flags, *_):
    if flags & ~TYPE_FLAGS:
        raise SyscallError(EINVAL, f"accept4 flags {flags:#x}")
    listener = sock_of(proc, fd)
    if address and proc.space.writable_prefix(lenptr, 4) < 4:
        raise SyscallError(EFAULT, f"accept: addrlen pointer {lenptr:#x}")
    accepted = listener.accept(flags & SOCK_NONBLOCK)
    new = _install(proc, accepted, flags)
    addr.store(proc.space, address, lenptr, accepted.peername())
    return new


def sys_accept(kernel, proc, fd, address, lenptr, *_):
    return sys_accept4(kernel, proc, fd, address, lenptr, 0)


def sys_getsockname(kernel, proc, fd, address, lenptr, *_):
    if address == 0:
        raise SyscallError(EFAULT, "getsockname: NULL address")
    addr.store(proc.space, address, lenptr, sock_of(proc, fd).sockname())
    return 0


def sys_getpeername(kernel, proc, fd, address, lenptr, *_):
    if address == 0:
        raise SyscallError(EFAULT, "getpeername: NULL address")
    addr.store(proc.space, address, lenptr, sock_of(proc, fd).peername())
    return 0


def _send(proc, sock, vectors, flags, to) -> int:
    """Send the bytes of ``vectors`` [(address, length)]: a datagram socket gets them as
    one datagram; a stream takes them chunk by chunk, returning the count sent so far
    if it fills part-way."""
    if sock.type == SOCK_DGRAM:
        total = sum(length for _, length in vectors)
        if total > MAX_DATAGRAM:          # before copying: a huge length costs nothing
            raise SyscallError(EMSGSIZE, f"a datagram of {total} bytes (at most "
                                         f"{MAX_DATAGRAM})")
        data = b"".join(proc.space.read(base, length) for base, length in vectors)
        return sock.send(proc, data, flags, to)
    done = 0
    for base, length in vectors:
        offset = 0
        while offset < length:
            wanted = min(RW_CHUNK, length - offset)
            try:
                sent = sock.send(proc, proc.space.read(base + offset, wanted), flags, to)
            except (Blocked, SyscallError):
                if done:
                    return done
                raise
            offset += sent
            done += sent
            if sent < wanted:
                return done
    return done


def sys_sendto(kernel, proc, fd, buf, length, flags, address, addrlen, *_):
    sock = sock_of(proc, fd)
    to = (address, addrlen) if address else None
    return _send(proc, sock, [(buf, min(length, MAX_RW_COUNT))], flags, to)


def _recv(proc, sock, vectors, flags) -> tuple[int, bytes | None, int]:
    """Receive into ``vectors``: (bytes stored, sender's address, message length).
    As ``read`` does (``sysfile._read_into``), only the writable prefix of the buffers is
    offered: EFAULT if none of a non-empty buffer is writable, nothing taken from the
    socket then."""
    usable, wanted = [], 0
    for base, length in vectors:
        length = min(length, MAX_RW_COUNT - wanted)
        room = proc.space.writable_prefix(base, length) if length else 0
        wanted += length
        usable.append((base, room))
        if room < length:
            break
    if wanted and not sum(room for _, room in usable):
        raise SyscallError(EFAULT, f"receive buffer {vectors[0][0]:#x} is not writable")
    data, sender, full = sock.recv(sum(room for _, room in usable), flags)
    stored = 0
    for base, room in usable:
        piece = data[stored:stored + room]
        proc.space.write(base, piece)
        stored += len(piece)
        if stored == len(data):
            break
    return stored, sender, full


def sys_recvfrom(kernel, proc, fd, buf, length, flags, address, lenptr, *_):
    sock = sock_of(proc, fd)
    stored, sender, full = _recv(proc, sock, [(buf, length)], flags)
    if sender is not None:
        addr.store(proc.space, address, lenptr, sender)
    elif address:
        proc.space.write(lenptr, struct.pack("<I", 0))
    return full if flags & MSG_TRUNC and sock.type == SOCK_DGRAM else stored


def _msghdr(proc, msg: int):
    fields = MSGHDR.unpack(proc.space.read(msg, MSGHDR.size))
    name, namelen, iov, iovlen = fields[:4]
    if not 0 <= iovlen <= IOV_MAX:
        raise SyscallError(EMSGSIZE,
                           f"msg_iovlen {iovlen} (0..{IOV_MAX})")
    raw = proc.space.read(iov, IOVEC.size * iovlen) if iovlen else b""
    vectors = [IOVEC.unpack_from(raw, i * IOVEC.size) for i in range(iovlen)]
    return name, namelen, vectors


def sys_sendmsg(kernel, proc, fd, msg, flags, *_):
    sock = sock_of(proc, fd)
    name, namelen, vectors = _msghdr(proc, msg)
    return _send(proc, sock, vectors, flags, (name, namelen) if name else None)


def sys_recvmsg(kernel, proc, fd, msg, flags, *_):
    sock = sock_of(proc, fd)
    name, namelen, vectors = _msghdr(proc, msg)
    stored, sender, full = _recv(proc, sock, vectors, flags)
    packed = sender or b""
    if name:
        proc.space.write(name, packed[:namelen])
    truncated = MSG_TRUNC if full > stored else 0
    proc.space.write(msg + 4, struct.pack("<I", len(packed) if name else 0))
    proc.space.write(msg + 20, struct.pack("<Ii", 0, truncated))   # controllen, flags
    return full if flags & MSG_TRUNC and sock.type == SOCK_DGRAM else stored


def sys_shutdown(kernel, proc, fd, how, *_):
    sock_of(proc, fd).shutdown(how)
    return 0


def sys_setsockopt(kernel, proc, fd, level, name, value, length, *_):
    sock = sock_of(proc, fd)
    if length < 4:
        raise SyscallError(EINVAL, f"option length {length} (an int needs 4)")
    number = struct.unpack("<i", proc.space.read(value, 4))[0]
    sock.setsockopt(level, name, number)
    return 0


def sys_getsockopt(kernel, proc, fd, level, name, value, lenptr, *_):
    sock = sock_of(proc, fd)
    room = struct.unpack("<i", proc.space.read(lenptr, 4))[0]
    if room < 0:
        raise SyscallError(EINVAL, f"option length {room}")
    number = sock.getsockopt(level, name)
    packed = struct.pack("<i", number)[:room]
    proc.space.write(value, packed)
    proc.space.write(lenptr, struct.pack("<i", len(packed)))
    return 0


CALLS = {
    "socket": sys_socket, "socketpair": sys_socketpair, "bind": sys_bind,
    "listen": sys_listen, "accept": sys_accept, "accept4": sys_accept4,
    "connect": sys_connect, "getsockname": sys_getsockname,
    "getpeername": sys_getpeername, "sendto": sys_sendto, "recvfrom": sys_recvfrom,
    "sendmsg": sys_sendmsg, "recvmsg": sys_recvmsg, "shutdown": sys_shutdown,
    "setsockopt": sys_setsockopt, "getsockopt": sys_getsockopt,
}
