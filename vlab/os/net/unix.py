"""AF_UNIX stream sockets (man 7 unix, Linux's ``net/unix/af_unix.c``).

* ``bind`` gives a socket a name (``names.py``): EADDRINUSE if taken, EINVAL if the
  socket already has one.
* ``listen(backlog)`` makes a bound socket a listener with a queue of at most
  ``backlog`` (capped at ``SOMAXCONN`` = 4096) connections not yet accepted.
* ``connect`` to a name: ENOENT if no socket has that path (ECONNREFUSED for an abstract
  name), ECONNREFUSED if the socket there is not listening.  As in Linux, the connection
  is made at once -- the server's end is created and queued on the listener, and the
  client may write before the server accepts; when the queue is full the connect
  *blocks* (EAGAIN with O_NONBLOCK) until an ``accept`` makes room.
* ``accept`` takes the oldest queued connection, blocking while there is none.
* A connection is two byte streams, one each way, each a ``pipe.Pipe`` (its buffer, its
  blocking read and write, end of file when the peer closed or shut down writing, EPIPE
  with SIGPIPE when writing to a peer that closed or shut down reading; MSG_NOSIGNAL
  drops the signal).  ``socketpair`` makes two sockets already connected.

Simplified: no SOCK_DGRAM/SOCK_SEQPACKET, no credentials or descriptor passing
(SCM_RIGHTS), and the ``pipe.py`` buffer size (64 KiB each way) instead of the socket
buffer accounting.
"""

from __future__ import annotations

from collections import deque

from ..errno import EAGAIN, EINVAL, ENOENT, EPIPE, SyscallError
from ..pipe import SIGPIPE, Pipe, PipeReader, PipeWriter
from ..vfs.constants import POLLHUP, POLLIN, POLLOUT
from ..waitq import Blocked, WaitQueue
from . import addr
from .errnos import EADDRINUSE, ECONNREFUSED, EISCONN, ENOTCONN, EOPNOTSUPP
from .names import unix_slot
from .socket import (
    MSG_DONTWAIT,
    MSG_NOSIGNAL,
    MSG_PEEK,
    SHUT_RD,
    SHUT_RDWR,
    SHUT_WR,
    SOCK_STREAM,
    Socket,
)

SOMAXCONN = 4096


class UnixStream(Socket):
    """One AF_UNIX SOCK_STREAM socket: fresh, bound, listening or connected."""

    family, type = addr.AF_UNIX, SOCK_STREAM

    def __init__(self, flags: int = 0):
        super().__init__(flags)
        self.name = b""                   # our address (b"": unnamed)
        self.slot = None                  # (table, key) where the name is registered
        self.backlog: deque | None = None  # listening: connections not yet accepted
        self.limit = 0
        self.queue = WaitQueue("unix")    # accept and full-backlog connect sleep here
        self.rx: PipeReader | None = None  # connected: what the peer sends us
        self.tx: PipeWriter | None = None  # connected: what we send the peer
        self.connected = False
        self.peer = b""

    @property
    def listening(self) -> bool:
        return self.backlog is not None

    def _wait(self, queue, flags: int, what: str):
        if self.nonblocking or flags & MSG_DONTWAIT:
            raise SyscallError(EAGAIN, f"{what} would block (non-blocking socket)")
        raise Blocked(queue)

    def changed(self) -> None:
        self.queue.wake_all()
        for queue in self.poll_waiters:
            queue.wake_all()
        self.poll_waiters.clear()

    # -- names and connections
    def bind(self, kernel, proc, address: int, length: int) -> None:
        name = addr.parse_unix(proc.space, address, length)
        if self.name or self.connected:
            raise SyscallError(EINVAL, "the socket already has an address")
        if not name:
            raise SyscallError(EINVAL, "bind needs a path or an abstract name "
                                       "(autobind is not modeled)")
        names, key = unix_slot(kernel, proc, name)
        if key in names:
            raise SyscallError(EADDRINUSE, f"{name!r} is already bound")
        names[key] = self
        self.name, self.slot = name, (names, key)

    def listen(self, backlog: int) -> None:
        if self.connected:
            raise SyscallError(EINVAL, "a connected socket cannot listen")
        if not self.name:
            raise SyscallError(EINVAL, "listen on a socket that is not bound")
        if self.backlog is None:
            self.backlog = deque()
        self.limit = min(max(backlog, 0), SOMAXCONN)
        self.changed()

    def connect(self, kernel, proc, address: int, length: int) -> None:
        name = addr.parse_unix(proc.space, address, length)
        if self.connected:
            raise SyscallError(EISCONN, "the socket is already connected")
        if self.listening:
            raise SyscallError(EINVAL, "a listening socket cannot connect")
        if not name:
            raise SyscallError(EINVAL, "connect to an unnamed address")
        names, key = unix_slot(kernel, proc, name)
        server = names.get(key)
        if server is None:
            if name[:1] == b"\0":
                raise SyscallError(ECONNREFUSED, f"no socket has the abstract name {name!r}")
            raise SyscallError(ENOENT, f"no socket is bound at {name.decode(errors='replace')}")
        if not server.listening:
            raise SyscallError(ECONNREFUSED, "the socket there is not listening")
        if len(server.backlog) >= max(server.limit, 1):
            self._wait(server.queue, 0, "connect to a listener with a full backlog")
        accepted = UnixStream()
        connect_pair(self, accepted)
        accepted.name, accepted.peer, self.peer = server.name, self.name, server.name
        server.backlog.append(accepted)
        server.changed()

    def accept(self, flags: int) -> UnixStream:
        if not self.listening:
            raise SyscallError(EINVAL, "accept on a socket that is not listening")
        if not self.backlog:
            self._wait(self.queue, 0, "accept with no pending connection")
        accepted = self.backlog.popleft()
        accepted.flags |= flags
        self.changed()                    # a connect waiting for room may go on
        return accepted

    def sockname(self) -> bytes:
        return addr.pack_unix(self.name)

    def peername(self) -> bytes:
        if not self.connected:
            raise SyscallError(ENOTCONN, "the socket is not connected")
        return addr.pack_unix(self.peer)

    # -- the byte streams
    def send(self, proc, data: bytes, flags: int, to) -> int:
        if to is not None:
            raise SyscallError(EISCONN if self.connected else EOPNOTSUPP,
                               "a stream socket sends to its peer, not to an address")
        if not self.connected:
            raise SyscallError(ENOTCONN, "send on a socket that is not connected")
        if self.tx is None:
            self._epipe(flags, "send after shutdown(SHUT_WR)")
        try:
            return self.tx.write(data)
        except Blocked as blocked:
            self._wait(blocked.queue, flags, "send to a full socket")
        except SyscallError as error:
            if error.errno == EPIPE:
                self._epipe(flags, "send to a peer that closed or shut down reading")
            raise

    def _epipe(self, flags: int, why: str):
        error = SyscallError(EPIPE, why)
        error.signal = None if flags & MSG_NOSIGNAL else SIGPIPE
        raise error

    def recv(self, count: int, flags: int):
        if not self.connected:
            raise SyscallError(EINVAL, "recv on a socket that is not connected")
        if self.rx is None or count == 0:
            return b"", None, 0           # shut down for reading: end of file
        pipe = self.rx.pipe
        if flags & MSG_PEEK and pipe.buffer:
            data = bytes(pipe.buffer[:count])
            return data, None, len(data)
        try:
            data = self.rx.read(count)
        except Blocked as blocked:
            self._wait(blocked.queue, flags, "recv from an empty socket")
        return data, None, len(data)

    def shutdown(self, how: int) -> None:
        if how not in (SHUT_RD, SHUT_WR, SHUT_RDWR):
            raise SyscallError(EINVAL, f"shutdown how = {how} (0, 1 or 2)")
        if not self.connected:
            raise SyscallError(ENOTCONN, "shutdown of a socket that is not connected")
        if how in (SHUT_RD, SHUT_RDWR) and self.rx is not None:
            self.rx.close()
            self.rx = None
        if how in (SHUT_WR, SHUT_RDWR) and self.tx is not None:
            self.tx.close()
            self.tx = None

    def poll(self) -> int:
        if self.listening:
            return POLLIN if self.backlog else 0
        if not self.connected:
            return POLLOUT | POLLHUP
        events = self.rx.poll() if self.rx is not None else POLLIN
        if self.tx is not None:
            events |= self.tx.poll()
        return events

    def close(self) -> None:
        if self.slot is not None:
            names, key = self.slot
            if names.get(key) is self:
                del names[key]
            self.slot = None
        if self.backlog:                  # connections never accepted: their clients
            for pending in self.backlog:  # see end of file / EPIPE
                pending.close()
            self.backlog.clear()
        if self.connected:
            self.shutdown(SHUT_RDWR)
        self.changed()


def connect_pair(a: UnixStream, b: UnixStream) -> None:
    """Join two sockets with a byte stream each way (``socketpair``, ``connect``)."""
    a_to_b, b_to_a = Pipe(), Pipe()
    a.tx, b.rx = PipeWriter(a_to_b), PipeReader(a_to_b)
    b.tx, a.rx = PipeWriter(b_to_a), PipeReader(b_to_a)
    for sock in (a, b):
        sock.connected = True
        sock.rx.poll_waiters = sock.tx.poll_waiters = sock.poll_waiters


def socketpair(flags: int = 0) -> tuple[UnixStream, UnixStream]:
    a, b = UnixStream(flags), UnixStream(flags)
    connect_pair(a, b)
    return a, b
