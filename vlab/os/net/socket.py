"""The socket as an open file, and its options (man 7 socket).

A socket is one more kind of open file description (``../vfs/openfile.py``): a
descriptor from ``socket``, ``socketpair`` or ``accept`` works with ``read``, ``write``,
``close``, ``dup``, ``fork``, ``fcntl(O_NONBLOCK)`` and ``ppoll`` like any other; the
socket calls (``../sysnet.py``) check that the descriptor *is* a socket (ENOTSOCK) and
call the methods below, which each family overrides (``unix.py``, ``udp.py``).

Options (``setsockopt``/``getsockopt``, level ``SOL_SOCKET``): the ones in
``SETTABLE`` are accepted and recorded -- ``getsockopt`` returns what was set -- but
change nothing else in this model (simplified: buffer sizes are fixed, SO_REUSEADDR does
not let two UDP sockets share a port).  ``SO_TYPE``, ``SO_DOMAIN``, ``SO_ERROR``,
``SO_ACCEPTCONN`` report the socket's state.  Any other option or level is ENOPROTOOPT,
as Linux answers an option it does not know.
"""

from __future__ import annotations

from ..errno import EINVAL, SyscallError
from ..vfs.constants import O_NONBLOCK, O_RDWR, S_IFSOCK
from ..vfs.openfile import OpenFile
from ..vfs.stat import Stat
from .errnos import ENOPROTOOPT, ENOTCONN, EOPNOTSUPP

SOCK_STREAM, SOCK_DGRAM = 1, 2
SOCK_NONBLOCK, SOCK_CLOEXEC = 0o4000, 0o2000000     # = O_NONBLOCK, O_CLOEXEC
SOL_SOCKET = 1
MSG_PEEK, MSG_TRUNC, MSG_DONTWAIT, MSG_NOSIGNAL = 0x2, 0x20, 0x40, 0x4000
SHUT_RD, SHUT_WR, SHUT_RDWR = 0, 1, 2

# asm-generic/socket.h
SO_REUSEADDR, SO_TYPE, SO_ERROR, SO_BROADCAST, SO_SNDBUF, SO_RCVBUF = 2, 3, 4, 6, 7, 8
SO_KEEPALIVE, SO_REUSEPORT, SO_ACCEPTCONN, SO_DOMAIN = 9, 15, 30, 39
SETTABLE = {SO_REUSEADDR: "SO_REUSEADDR", SO_BROADCAST: "SO_BROADCAST",
            SO_SNDBUF: "SO_SNDBUF", SO_RCVBUF: "SO_RCVBUF", SO_KEEPALIVE: "SO_KEEPALIVE",
            SO_REUSEPORT: "SO_REUSEPORT"}
DEFAULT_BUFFER = 212992                          # net.core.rmem_default / wmem_default
_INODES = iter(range(1, 1 << 62))


class Socket(OpenFile):
    """What every socket has: its family and type, options, an inode number."""

    family = 0
    type = 0

    def __init__(self, flags: int = 0):
        super().__init__(O_RDWR | (flags & O_NONBLOCK))
        self.options = {SO_SNDBUF: DEFAULT_BUFFER, SO_RCVBUF: DEFAULT_BUFFER}
        self.ino = next(_INODES)

    @property
    def nonblocking(self) -> bool:
        return bool(self.flags & O_NONBLOCK)

    def stat(self):
        return Stat(mode=S_IFSOCK | 0o777, ino=self.ino)

    # -- options
    def setsockopt(self, level: int, name: int, value: int) -> None:
        if level != SOL_SOCKET or name not in SETTABLE:
            raise SyscallError(ENOPROTOOPT, f"socket option (level {level}, {name}) is "
                                            "not modeled")
        self.options[name] = value

    def getsockopt(self, level: int, name: int) -> int:
        state = {SO_TYPE: self.type, SO_DOMAIN: self.family, SO_ERROR: 0,
                 SO_ACCEPTCONN: int(self.listening)}
        if level == SOL_SOCKET and name in state:
            return state[name]
        if level == SOL_SOCKET and name in SETTABLE:
            return self.options.get(name, 0)
        raise SyscallError(ENOPROTOOPT, f"socket option (level {level}, {name}) is "
                                        "not modeled")

    # -- the family's operations; the defaults are what a socket that cannot do it says
    listening = False

    def bind(self, kernel, proc, address: int, length: int) -> None:
        raise SyscallError(EOPNOTSUPP, "this socket cannot bind")

    def listen(self, backlog: int) -> None:
        raise SyscallError(EOPNOTSUPP, "listen needs a stream socket (SOCK_STREAM)")

    def accept(self, flags: int):
        raise SyscallError(EOPNOTSUPP, "accept needs a stream socket (SOCK_STREAM)")

    def connect(self, kernel, proc, address: int, length: int) -> None:
        raise SyscallError(EOPNOTSUPP, "this socket cannot connect")

    def sockname(self) -> bytes:
        raise SyscallError(EOPNOTSUPP, "no address")

    def peername(self) -> bytes:
        raise SyscallError(ENOTCONN, "the socket is not connected")

    def send(self, proc, data: bytes, flags: int, to) -> int:
        raise SyscallError(EOPNOTSUPP, "this socket cannot send")

    def recv(self, count: int, flags: int) -> tuple[bytes, bytes | None, int]:
        """(data, sender's packed address or None, full length of the message)."""
        raise SyscallError(EOPNOTSUPP, "this socket cannot receive")

    def shutdown(self, how: int) -> None:
        if how not in (SHUT_RD, SHUT_WR, SHUT_RDWR):
            raise SyscallError(EINVAL, f"shutdown how = {how} (0, 1 or 2)")
        raise SyscallError(ENOTCONN, "the socket is not connected")

    # -- read and write are recv and send without flags or address
    def read(self, count: int) -> bytes:
        return self.recv(count, 0)[0]

    def write(self, data: bytes) -> int:
        return self.send(None, data, 0, None)
