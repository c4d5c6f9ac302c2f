"""UDP sockets on the loopback of a network namespace (man 7 udp, man 7 ip).

Each network namespace (``names.py``) has a table port -> socket.  ``bind`` takes a port
on 127.0.0.1 (any 127.x.y.z) or INADDR_ANY 0.0.0.0 -- the only interface a namespace
has is ``lo`` -- and any other address is EADDRNOTAVAIL.  Port 0, and the first
``sendto`` of an unbound socket, pick an *ephemeral* port: the lowest free one of
``EPHEMERAL`` (Linux's ``ip_local_port_range`` 32768..60999; Linux picks at random,
this model the lowest, so runs are reproducible).  A taken port is EADDRINUSE; a port
below 1024 needs effective uid 0 (Linux: CAP_NET_BIND_SERVICE in the namespace's user
namespace; modeled as euid 0 as the process sees it), else EACCES.

``sendto`` delivers the datagram at once to the socket bound to the destination port
in the *sender's* namespace, with the sender's address; it goes nowhere else: a
destination outside 127.0.0.0/8 is ENETUNREACH, and to a port nobody has bound the
datagram is dropped (Linux answers with an ICMP port-unreachable, not modeled).  Each
socket has a queue of datagrams bounded by its receive buffer (SO_RCVBUF, 212992
bytes; a datagram that does not fit is dropped, as UDP drops).  ``recvfrom`` takes the
oldest datagram whole (the rest of a datagram longer than the buffer is lost; MSG_TRUNC
returns the real length) and blocks while the queue is empty.  ``connect`` sets the
default destination and accepts datagrams only from it; AF_UNSPEC dissolves it.
"""

from __future__ import annotations

import struct
from collections import deque

from ..errno import EACCES, EAGAIN, EINVAL, SyscallError
from ..vfs.constants import POLLIN, POLLOUT
from ..waitq import Blocked, WaitQueue
from . import addr
from .errnos import EADDRINUSE, EADDRNOTAVAIL, EDESTADDRREQ, EMSGSIZE, ENETUNREACH, ENOTCONN
from .names import net_of, table
from .socket import (
    MSG_DONTWAIT,
    MSG_PEEK,
    SHUT_RD,
    SHUT_RDWR,
    SHUT_WR,
    SO_RCVBUF,
    SOCK_DGRAM,
    Socket,
)

EPHEMERAL = range(32768, 61000)
MAX_DATAGRAM = 65507                 # 65535 - 8 (UDP header) - 20 (IPv4 header)
ANY = "0.0.0.0"
PRIVILEGED = 1024                    # ports below: root only (CAP_NET_BIND_SERVICE)


def loopback(ip: str) -> bool:
    return ip.startswith("127.") or ip == ANY


class UdpSocket(Socket):
    """An AF_INET SOCK_DGRAM socket of one network namespace."""

    family, type = addr.AF_INET, SOCK_DGRAM

    def __init__(self, net, flags: int = 0):
        super().__init__(flags)
        self.ports = table(net, "udp")
        self.local: tuple[str, int] | None = None
        self.peer: tuple[str, int] | None = None
        self.datagrams: deque = deque()   # (data, sender's packed sockaddr_in)
        self.queued = 0
        self.queue = WaitQueue("udp")
        self.read_shut = False

    def _take(self, ip: str, port: int) -> None:
        if port == 0:
            port = next((p for p in EPHEMERAL if p not in self.ports), None)
            if port is None:
                raise SyscallError(EADDRINUSE, "every ephemeral port is taken")
        elif port in self.ports:
            raise SyscallError(EADDRINUSE, f"UDP port {port} is already bound")
        self.ports[port] = self
        self.local = (ip, port)

    def bind(self, kernel, proc, address: int, length: int) -> None:
        ip, port = addr.parse_inet(proc.space, address, length)
        if self.local is not None:
            raise SyscallError(EINVAL, "the socket is already bound")
        if not loopback(ip):
            raise SyscallError(EADDRNOTAVAIL, f"{ip} is not an address of this network "
                                              "namespace (only lo: 127.0.0.1)")
        creds = getattr(proc, "creds", None)
        if 0 < port < PRIVILEGED and creds is not None and creds.euid != 0:
            raise SyscallError(EACCES, f"port {port} < 1024 needs root (CAP_NET_BIND_SERVICE)")
        self._take(ip, port)

    def connect(self, kernel, proc, address: int, length: int) -> None:
        if length >= 2 and struct.unpack("<H", proc.space.read(address, 2))[0] == 0:
            self.peer = None                  # AF_UNSPEC: dissolve the association
            return
        ip, port = addr.parse_inet(proc.space, address, length)
        if not loopback(ip):
            raise SyscallError(ENETUNREACH, f"{ip} is not reachable: the namespace has "
                                            "only the loopback")
        if self.local is None:
            self._take(ANY, 0)
        self.peer = ("127.0.0.1" if ip == ANY else ip, port)

    def sockname(self) -> bytes:
        return addr.pack_inet(*(self.local or (ANY, 0)))

    def peername(self) -> bytes:
        if self.peer is None:
            raise SyscallError(ENOTCONN, "the UDP socket is not connected")
        return addr.pack_inet(*self.peer)

    def send(self, proc, data: bytes, flags: int, to) -> int:
        if to is not None:
            ip, port = addr.parse_inet(proc.space, *to)
        elif self.peer is not None:
            ip, port = self.peer
        else:
            raise SyscallError(EDESTADDRREQ, "no destination: use sendto or connect")
        if len(data) > MAX_DATAGRAM:
            raise SyscallError(EMSGSIZE, f"a datagram of {len(data)} bytes (at most "
                                         f"{MAX_DATAGRAM})")
        if not loopback(ip):
            raise SyscallError(ENETUNREACH, f"{ip} is not reachable: the namespace has "
                                            "only the loopback")
        if self.local is None:
            self._take(ANY, 0)
        src = ("127.0.0.1" if self.local[0] == ANY else self.local[0], self.local[1])
        target = self.ports.get(port)
        if target is not None:
            target.deliver(data, src, ip)
        return len(data)

    def deliver(self, data: bytes, src: tuple[str, int], dest_ip: str) -> None:
        """A datagram arrives; dropped if it does not fit, is not for our address, or is
        not from our connected peer."""
        if self.local[0] not in (ANY, dest_ip) and dest_ip != ANY:
            return
        if self.peer is not None and self.peer != src:
            return
        if self.read_shut or self.queued + len(data) > self.options[SO_RCVBUF]:
            return
        self.datagrams.append((bytes(data), addr.pack_inet(*src)))
        self.queued += len(data)
        self.changed()

    def changed(self) -> None:
        self.queue.wake_all()
        for queue in self.poll_waiters:
            queue.wake_all()
        self.poll_waiters.clear()

    def recv(self, count: int, flags: int):
        if not self.datagrams:
            if self.read_shut:
                return b"", None, 0
            if self.nonblocking or flags & MSG_DONTWAIT:
                raise SyscallError(EAGAIN, "no datagram queued (non-blocking socket)")
            raise Blocked(self.queue)
        data, sender = self.datagrams[0]
        if not flags & MSG_PEEK:
            self.datagrams.popleft()
            self.queued -= len(data)
        return data[:count], sender, len(data)

    def shutdown(self, how: int) -> None:
        if how not in (SHUT_RD, SHUT_WR, SHUT_RDWR):
            raise SyscallError(EINVAL, f"shutdown how = {how} (0, 1 or 2)")
        if self.peer is None:
            raise SyscallError(ENOTCONN, "shutdown of a UDP socket that is not connected")
        if how != SHUT_WR:
            self.read_shut = True
            self.changed()

    def poll(self) -> int:
        return (POLLIN if self.datagrams or self.read_shut else 0) | POLLOUT

    def close(self) -> None:
        if self.local is not None and self.ports.get(self.local[1]) is self:
            del self.ports[self.local[1]]
        self.datagrams.clear()
        self.changed()


def udp_socket(kernel, proc, flags: int = 0) -> UdpSocket:
    return UdpSocket(net_of(kernel, proc), flags)
