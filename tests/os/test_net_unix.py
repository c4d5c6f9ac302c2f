"""AF_UNIX stream sockets through their system calls (man 7 unix): bind, listen,
connect, accept, the byte stream, EOF, EPIPE + SIGPIPE, socketpair, and every error."""
from __future__ import annotations

import struct

import pytest
from test_vfs import sys, world

from vlab.os import errno as E
from vlab.os.net import errnos as N
from vlab.os.net.socket import MSG_NOSIGNAL, MSG_PEEK, SOCK_NONBLOCK
from vlab.os.pipe import SIGPIPE
from vlab.os.sysfile import CALLS as FILE_CALLS
from vlab.os.sysnet import CALLS
from vlab.os.waitq import Blocked

AF_UNIX, AF_INET, AF_INET6, SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET = 1, 2, 10, 1, 2, 5


def net(p, name, *args):
    """Run a socket call; -errno on failure (what the guest sees)."""
    try:
        return CALLS[name](p.kernel, p, *args)
    except E.SyscallError as error:
        return -error.errno


def un(p, path: bytes):
    raw = struct.pack("<H", AF_UNIX) + path + b"\0"
    return p.put(raw), len(raw)


def server(p, path=b"/tmp/s", backlog=4):
    fd = net(p, "socket", AF_UNIX, SOCK_STREAM, 0)
    assert net(p, "bind", fd, *un(p, path)) == 0
    assert net(p, "listen", fd, backlog) == 0
    return fd


def client(p, path=b"/tmp/s"):
    fd = net(p, "socket", AF_UNIX, SOCK_STREAM, 0)
    assert net(p, "connect", fd, *un(p, path)) == 0
    return fd


def proc():
    _, p = world()
    return p


def test_connect_accept_and_a_byte_stream_both_ways():
    p = proc()
    s = server(p)
    c = client(p)                                    # connects before accept: queued
    name, lenp = p.buffer(110), p.put(struct.pack("<I", 110))
    a = net(p, "accept", s, name, lenp)
    assert a == c + 1 and struct.unpack("<I", p.space.read(lenp, 4))[0] == 2   # unnamed peer
    assert sys(p, "write", c, p.put(b"hello"), 5) == 5
    buf = p.buffer(16)
    assert sys(p, "read", a, buf, 16) == 5 and p.space.read(buf, 5) == b"hello"
    assert net(p, "sendto", a, p.put(b"back"), 4, 0, 0, 0) == 4
    assert net(p, "recvfrom", c, buf, 16, 0, 0, 0) == 4 and p.space.read(buf, 4) == b"back"
    p.space.write(lenp, struct.pack("<I", 110))                # value-result: the room
    assert net(p, "getpeername", c, name, lenp) == 0
    assert p.space.read(name, 9) == struct.pack("<H", AF_UNIX) + b"/tmp/s\0"
    assert struct.unpack("<I", p.space.read(lenp, 4))[0] == 9


def test_accept_and_read_block_then_eof_when_the_peer_closes():
    p = proc()
    s = server(p)
    with pytest.raises(Blocked):
        net(p, "accept", s, 0, 0)
    c = client(p)
    a = net(p, "accept", s, 0, 0)
    buf = p.buffer(8)
    with pytest.raises(Blocked) as blocked:
        sys(p, "read", a, buf, 8)
    woken = []
    p.wake = lambda: woken.append(1)
    blocked.value.queue.add(p)
    sys(p, "close", c)
    assert woken == [1] and sys(p, "read", a, buf, 8) == 0          # end of file


def test_write_to_a_closed_peer_is_epipe_with_sigpipe_unless_msg_nosignal():
    p = proc()
    s = server(p)
    c = client(p)
    a = net(p, "accept", s, 0, 0)
    sys(p, "close", a)
    with pytest.raises(E.SyscallError) as error:
        CALLS["sendto"](p.kernel, p, c, p.put(b"x"), 1, 0, 0, 0)
    assert error.value.errno == E.EPIPE and error.value.signal == SIGPIPE
    with pytest.raises(E.SyscallError) as error:
        CALLS["sendto"](p.kernel, p, c, p.put(b"x"), 1, MSG_NOSIGNAL, 0, 0)
    assert error.value.errno == E.EPIPE and not error.value.signal


def test_shutdown_write_gives_the_peer_eof_and_shutdown_read_gives_it_epipe():
    p = proc()
    s = server(p)
    c = client(p)
    a = net(p, "accept", s, 0, 0)
    buf = p.buffer(8)
    assert net(p, "shutdown", c, 1) == 0                          # SHUT_WR
    assert sys(p, "read", a, buf, 8) == 0
    assert net(p, "sendto", c, p.put(b"x"), 1, MSG_NOSIGNAL, 0, 0) == -E.EPIPE
    assert net(p, "shutdown", a, 0) == 0                          # SHUT_RD
    assert net(p, "sendto", c, p.put(b"x"), 1, MSG_NOSIGNAL, 0, 0) == -E.EPIPE
    assert net(p, "shutdown", a, 7) == -E.EINVAL


def test_socketpair_msg_peek_and_nonblocking():
    p = proc()
    sv = p.buffer(8)
    assert net(p, "socketpair", AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0
    x, y = struct.unpack("<ii", p.space.read(sv, 8))
    buf = p.buffer(8)
    assert net(p, "recvfrom", y, buf, 8, 0, 0, 0) == -E.EAGAIN
    assert sys(p, "write", x, p.put(b"abc"), 3) == 3
    assert net(p, "recvfrom", y, buf, 8, MSG_PEEK, 0, 0) == 3
    assert net(p, "recvfrom", y, buf, 2, 0, 0, 0) == 2 and p.space.read(buf, 2) == b"ab"
    assert sys(p, "read", y, buf, 8) == 1
    assert net(p, "socketpair", AF_INET, SOCK_STREAM, 0, sv) == -N.EOPNOTSUPP
    assert net(p, "socketpair", AF_UNIX, SOCK_STREAM, 0, 0x10) == -E.EFAULT


def test_backlog_full_blocks_connect_until_accept():
    p = proc()
    s = server(p, backlog=1)
    client(p)
    fd = net(p, "socket", AF_UNIX, SOCK_STREAM, 0)
    with pytest.raises(Blocked):
        net(p, "connect", fd, *un(p, b"/tmp/s"))
    net(p, "accept", s, 0, 0)
    assert net(p, "connect", fd, *un(p, b"/tmp/s")) == 0


def test_the_errors():
    p = proc()
    assert net(p, "socket", AF_INET6, SOCK_STREAM, 0) == -N.EAFNOSUPPORT
    assert net(p, "socket", AF_UNIX, SOCK_DGRAM, 0) == -N.EPROTONOSUPPORT
    assert net(p, "socket", AF_UNIX, SOCK_SEQPACKET, 0) == -N.EPROTONOSUPPORT
    assert net(p, "socket", AF_INET, SOCK_STREAM, 0) == -N.EPROTONOSUPPORT   # no TCP
    assert net(p, "socket", AF_UNIX, SOCK_STREAM, 7) == -N.EPROTONOSUPPORT
    fd = net(p, "socket", AF_UNIX, SOCK_STREAM, 0)
    assert net(p, "connect", fd, *un(p, b"/nowhere")) == -E.ENOENT
    assert net(p, "connect", fd, *un(p, b"\0abstract")) == -N.ECONNREFUSED
    bound = net(p, "socket", AF_UNIX, SOCK_STREAM, 0)
    assert net(p, "bind", bound, *un(p, b"/tmp/b")) == 0
    assert net(p, "connect", fd, *un(p, b"/tmp/b")) == -N.ECONNREFUSED   # not listening
    assert net(p, "bind", fd, *un(p, b"/tmp/b")) == -N.EADDRINUSE
    assert net(p, "bind", bound, *un(p, b"/tmp/c")) == -E.EINVAL          # already named
    assert net(p, "listen", fd, 1) == -E.EINVAL                           # not bound
    assert net(p, "accept", fd, 0, 0) == -E.EINVAL                        # not listening
    assert net(p, "sendto", fd, p.put(b"x"), 1, 0, 0, 0) == -N.ENOTCONN
    assert net(p, "getpeername", fd, p.buffer(16), p.put(struct.pack("<I", 16))) == -N.ENOTCONN
    assert net(p, "shutdown", fd, 0) == -N.ENOTCONN
    assert net(p, "bind", fd, 0x10, 5) == -E.EFAULT                       # bad pointer
    assert net(p, "bind", fd, p.put(struct.pack("<H", AF_INET) + b"x"), 3) == -E.EINVAL
    assert net(p, "bind", fd, p.put(struct.pack("<H", AF_UNIX)), 2) == -E.EINVAL  # autobind
    assert net(p, "bind", 99, *un(p, b"/x")) == -E.EBADF
    assert net(p, "listen", sys(p, "openat", -100 & 0xFFFFFFFF, p.put("/tmp"), 0, 0), 1) \
        == -N.ENOTSOCK
    value = p.put(struct.pack("<i", 1))
    assert net(p, "setsockopt", fd, 1, 2, value, 4) == 0                  # SO_REUSEADDR
    assert net(p, "setsockopt", fd, 1, 999, value, 4) == -N.ENOPROTOOPT
    assert net(p, "setsockopt", fd, 6, 1, value, 4) == -N.ENOPROTOOPT     # IPPROTO_TCP
    assert net(p, "setsockopt", fd, 1, 2, value, 2) == -E.EINVAL
    out, outlen = p.buffer(4), p.put(struct.pack("<i", 4))
    assert net(p, "getsockopt", fd, 1, 2, out, outlen) == 0
    assert struct.unpack("<i", p.space.read(out, 4))[0] == 1
    assert net(p, "getsockopt", fd, 1, 3, out, outlen) == 0               # SO_TYPE
    assert struct.unpack("<i", p.space.read(out, 4))[0] == SOCK_STREAM


def test_closing_frees_the_name_and_abstract_names_work():
    p = proc()
    s = server(p, b"\0hidden")
    c = client(p, b"\0hidden")
    assert net(p, "accept", s, 0, 0) > 0
    sys(p, "close", s)
    sys(p, "close", c)
    assert server(p, b"\0hidden") >= 0                                    # name reusable


def test_ppoll_on_a_listener_and_a_connection():
    p = proc()
    s = server(p)
    zero = p.put(struct.pack("<qq", 0, 0))
    fds = p.put(struct.pack("<ihh", s, 1, 0))
    assert FILE_CALLS["ppoll_time64"](p.kernel, p, fds, 1, zero, 0, 8) == 0
    with pytest.raises(Blocked) as blocked:
        FILE_CALLS["ppoll_time64"](p.kernel, p, fds, 1, 0, 0, 8)
    woken = []
    p.wake = lambda: woken.append(1)
    blocked.value.queue.add(p)
    c = client(p)
    assert woken == [1]
    assert FILE_CALLS["ppoll_time64"](p.kernel, p, fds, 1, zero, 0, 8) == 1
    a = net(p, "accept", s, 0, 0)
    p.space.write(fds, struct.pack("<ihh", a, 1, 0))
    with pytest.raises(Blocked) as blocked:
        FILE_CALLS["ppoll_time64"](p.kernel, p, fds, 1, 0, 0, 8)
    blocked.value.queue.add(p)
    sys(p, "write", c, p.put(b"x"), 1)
    assert woken == [1, 1]
    assert FILE_CALLS["ppoll_time64"](p.kernel, p, fds, 1, zero, 0, 8) == 1
