"""UDP on the loopback (man 7 udp): bind, ephemeral ports, sendto/recvfrom with the
sender's address, a datagram queue, blocking recv, connect, and network namespaces that
keep their 127.0.0.1 to themselves."""
from __future__ import annotations

import struct
from types import SimpleNamespace

import pytest
from test_net_unix import net
from test_vfs import sys, world

from vlab.os import errno as E
from vlab.os.namespaces import NetNamespace
from vlab.os.net import errnos as N
from vlab.os.net.socket import MSG_DONTWAIT, MSG_PEEK, MSG_TRUNC, SOCK_NONBLOCK
from vlab.os.net.udp import MAX_DATAGRAM
from vlab.os.sysfile import CALLS as FILE_CALLS
from vlab.os.waitq import Blocked

AF_INET, SOCK_DGRAM = 2, 2


def sin(p, ip="127.0.0.1", port=0, family=AF_INET):
    raw = struct.pack("<H", family) + port.to_bytes(2, "big") + bytes(
        int(x) for x in ip.split(".")) + bytes(8)
    return p.put(raw), 16


def udp(p, port=None, flags=0):
    fd = net(p, "socket", AF_INET, SOCK_DGRAM | flags, 0)
    if port is not None:
        assert net(p, "bind", fd, *sin(p, port=port)) == 0
    return fd


def name_of(p, call, fd):
    out, lenp = p.buffer(16), p.put(struct.pack("<I", 16))
    assert net(p, call, fd, out, lenp) == 0
    raw = p.space.read(out, 16)
    return ".".join(map(str, raw[4:8])), int.from_bytes(raw[2:4], "big")


def test_a_datagram_arrives_with_its_senders_address():
    _, p = world()
    server = udp(p, 5000)
    sender = udp(p)
    assert net(p, "sendto", sender, p.put(b"ping"), 4, 0, *sin(p, port=5000)) == 4
    assert name_of(p, "getsockname", sender) == ("0.0.0.0", 32768)   # the first ephemeral
    buf, src, srclen = p.buffer(16), p.buffer(16), p.put(struct.pack("<I", 16))
    assert net(p, "recvfrom", server, buf, 16, 0, src, srclen) == 4
    assert p.space.read(buf, 4) == b"ping"
    raw = p.space.read(src, 16)
    assert raw[:2] == struct.pack("<H", AF_INET)
    assert (raw[4:8], int.from_bytes(raw[2:4], "big")) == (bytes([127, 0, 0, 1]), 32768)


def test_datagrams_keep_their_boundaries_and_truncate():
    _, p = world()
    s, c = udp(p, 6000), udp(p)
    for word in (b"one", b"three"):
        net(p, "sendto", c, p.put(word), len(word), 0, *sin(p, port=6000))
    buf = p.buffer(16)
    assert net(p, "recvfrom", s, buf, 16, MSG_PEEK, 0, 0) == 3
    assert net(p, "recvfrom", s, buf, 16, 0, 0, 0) == 3
    assert net(p, "recvfrom", s, buf, 2, MSG_TRUNC, 0, 0) == 5     # the real length
    assert p.space.read(buf, 2) == b"th"
    assert net(p, "recvfrom", s, buf, 16, MSG_DONTWAIT, 0, 0) == -E.EAGAIN   # rest lost


def test_recv_blocks_until_a_datagram_comes():
    _, p = world()
    s, c = udp(p, 7000), udp(p)
    buf = p.buffer(8)
    with pytest.raises(Blocked) as blocked:
        sys(p, "read", s, buf, 8)
    woken = []
    p.wake = lambda: woken.append(1)
    blocked.value.queue.add(p)
    net(p, "sendto", c, p.put(b"x"), 1, 0, *sin(p, port=7000))
    assert woken == [1] and sys(p, "read", s, buf, 8) == 1


def test_connect_sets_the_destination_for_write():
    _, p = world()
    s, c = udp(p, 8000), udp(p)
    buf = p.buffer(8)
    assert net(p, "sendto", c, p.put(b"x"), 1, 0, 0, 0) == -N.EDESTADDRREQ
    assert net(p, "connect", c, *sin(p, port=8000)) == 0
    assert sys(p, "write", c, p.put(b"hi"), 2) == 2
    assert sys(p, "read", s, buf, 8) == 2
    assert name_of(p, "getpeername", c) == ("127.0.0.1", 8000)


def test_the_errors():
    _, p = world()
    s = udp(p, 9000)
    other = udp(p)
    assert net(p, "bind", other, *sin(p, port=9000)) == -N.EADDRINUSE
    assert net(p, "bind", other, *sin(p, ip="10.0.0.1", port=9001)) == -N.EADDRNOTAVAIL
    assert net(p, "bind", s, *sin(p, port=9002)) == -E.EINVAL              # bound already
    assert net(p, "bind", other, *sin(p, port=1, family=1)) == -N.EAFNOSUPPORT
    assert net(p, "bind", other, sin(p)[0], 8) == -E.EINVAL                # short address
    assert net(p, "sendto", other, p.put(b"x"), 1, 0, *sin(p, ip="8.8.8.8", port=53)) \
        == -N.ENETUNREACH
    big = p.buffer(MAX_DATAGRAM + 1)
    assert net(p, "sendto", other, big, MAX_DATAGRAM + 1, 0, *sin(p, port=9000)) \
        == -N.EMSGSIZE
    assert net(p, "recvfrom", s, 0x10, 8, 0, 0, 0) == -E.EFAULT
    assert net(p, "sendto", other, 0x10, 8, 0, *sin(p, port=9000)) == -E.EFAULT
    assert net(p, "getpeername", s, p.buffer(16), p.put(struct.pack("<I", 16))) == -N.ENOTCONN
    assert net(p, "listen", s, 1) == -N.EOPNOTSUPP
    assert net(p, "accept", s, 0, 0) == -N.EOPNOTSUPP
    nb = udp(p, flags=SOCK_NONBLOCK)
    assert net(p, "recvfrom", nb, p.buffer(8), 8, 0, 0, 0) == -E.EAGAIN


def test_to_a_port_nobody_bound_the_datagram_is_dropped():
    _, p = world()
    c = udp(p)
    assert net(p, "sendto", c, p.put(b"x"), 1, 0, *sin(p, port=4444)) == 1


def test_sendmsg_and_recvmsg_with_an_iovec():
    _, p = world()
    s, c = udp(p, 9100), udp(p)
    dest, destlen = sin(p, port=9100)
    iov = p.put(struct.pack("<IIII", p.put(b"ab"), 2, p.put(b"cde"), 3))
    msg = p.put(struct.pack("<IIIiIIi", dest, destlen, iov, 2, 0, 0, 0))
    assert net(p, "sendmsg", c, msg, 0) == 5
    b1, b2, name = p.buffer(4), p.buffer(4), p.buffer(16)
    riov = p.put(struct.pack("<IIII", b1, 4, b2, 4))
    rmsg = p.put(struct.pack("<IIIiIIi", name, 16, riov, 2, 0, 0, 0))
    assert net(p, "recvmsg", s, rmsg, 0) == 5
    assert p.space.read(b1, 4) + p.space.read(b2, 1) == b"abcde"
    assert struct.unpack("<I", p.space.read(rmsg + 4, 4))[0] == 16
    assert p.space.read(name + 4, 4) == bytes([127, 0, 0, 1])


def test_network_namespaces_do_not_share_their_loopback():
    kernel, p = world()
    _, q = world()
    q.kernel = p.kernel = kernel
    p.ns = SimpleNamespace(mnt=p.ns.mnt, pid=None, net=NetNamespace())
    q.ns = SimpleNamespace(mnt=q.ns.mnt, pid=None, net=p.ns.net.copy())
    s = udp(p, 5353)
    c = udp(q)
    assert net(q, "sendto", c, q.put(b"x"), 1, 0, *sin(q, port=5353)) == 1   # sent...
    assert net(p, "recvfrom", s, p.buffer(8), 8, MSG_DONTWAIT, 0, 0) == -E.EAGAIN  # ...lost
    assert udp(q, 5353) >= 0                       # the same port is free over there
    same = SimpleNamespace(mnt=q.ns.mnt, pid=None, net=p.ns.net)
    q.ns = same                                    # back in p's namespace: it arrives
    c2 = udp(q)
    assert net(q, "sendto", c2, q.put(b"y"), 1, 0, *sin(q, port=5353)) == 1
    assert net(p, "recvfrom", s, p.buffer(8), 8, MSG_DONTWAIT, 0, 0) == 1


def test_a_port_below_1024_needs_root():
    _, p = world()
    fd = udp(p)
    p.creds = SimpleNamespace(euid=1000)
    assert net(p, "bind", fd, *sin(p, port=53)) == -E.EACCES
    assert net(p, "bind", fd, *sin(p, port=5300)) == 0
    p.creds = SimpleNamespace(euid=0)
    assert net(p, "bind", udp(p), *sin(p, port=53)) == 0


def test_ppoll_sees_a_datagram_arrive():
    _, p = world()
    s, c = udp(p, 9200), udp(p)
    fds = p.put(struct.pack("<ihh", s, 1, 0))                   # POLLIN
    zero = p.put(struct.pack("<qq", 0, 0))
    assert FILE_CALLS["ppoll_time64"](p.kernel, p, fds, 1, zero, 0, 8) == 0
    with pytest.raises(Blocked) as blocked:
        FILE_CALLS["ppoll_time64"](p.kernel, p, fds, 1, 0, 0, 8)
    woken = []
    p.wake = lambda: woken.append(1)
    blocked.value.queue.add(p)
    net(p, "sendto", c, p.put(b"x"), 1, 0, *sin(p, port=9200))
    assert woken == [1]
    assert FILE_CALLS["ppoll_time64"](p.kernel, p, fds, 1, zero, 0, 8) == 1
