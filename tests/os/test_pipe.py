"""Pipes (pipe(7)): a 64 KiB buffer, blocking by block-and-restart, EOF when the writers
are gone, EPIPE with SIGPIPE when the readers are, shared ends across dup and fork."""
from __future__ import annotations

import struct

import pytest
from test_vfs import Proc, sys, world

from vlab.os import errno as E
from vlab.os.pipe import PIPE_BUF, PIPE_CAPACITY, SIGPIPE, make_pipe
from vlab.os.vfs.constants import F_GETFL, F_SETFL, O_CLOEXEC, O_NONBLOCK
from vlab.os.waitq import Blocked


def pipe(p, flags=0):
    fds = p.buffer(8)
    assert sys(p, "pipe2", fds, flags) == 0
    return struct.unpack("<ii", p.space.read(fds, 8))


def test_bytes_go_through_in_order():
    _, p = world()
    r, w = pipe(p)
    assert (r, w) == (0, 1)                          # the lowest free descriptors
    assert sys(p, "write", w, p.put(b"abc"), 3) == 3
    assert sys(p, "write", w, p.put(b"def"), 3) == 3
    buf = p.buffer(16)
    assert sys(p, "read", r, buf, 4) == 4 and p.space.read(buf, 4) == b"abcd"
    assert sys(p, "read", r, buf, 16) == 2 and p.space.read(buf, 2) == b"ef"


def test_read_of_an_empty_pipe_blocks_then_eof_when_writers_close():
    _, p = world()
    r, w = pipe(p)
    buf = p.buffer(8)
    with pytest.raises(Blocked) as blocked:
        sys(p, "read", r, buf, 8)
    queue = blocked.value.queue
    woken = []
    p.wake = lambda: woken.append(1)
    queue.add(p)
    sys(p, "close", w)                               # the last writer: wake the reader
    assert woken == [1]
    assert sys(p, "read", r, buf, 8) == 0            # end of file


def test_write_blocks_when_full_and_small_writes_are_atomic():
    _, p = world()
    r, w = pipe(p)
    big = p.put(b"x" * PIPE_CAPACITY)
    assert sys(p, "write", w, big, PIPE_CAPACITY) == PIPE_CAPACITY
    with pytest.raises(Blocked):
        sys(p, "write", w, big, 1)
    buf = p.buffer(PIPE_BUF)
    assert sys(p, "read", r, buf, 100) == 100
    with pytest.raises(Blocked):                     # 200 <= PIPE_BUF does not fit: waits
        sys(p, "write", w, big, 200)
    assert sys(p, "write", w, big, 100) == 100


def test_a_huge_write_takes_what_fits():
    _, p = world()
    r, w = pipe(p)
    buf = p.put(b"y" * (PIPE_CAPACITY + 1000))
    assert sys(p, "write", w, buf, PIPE_CAPACITY + 1000) == PIPE_CAPACITY


def test_nonblocking_ends_say_eagain():
    _, p = world()
    r, w = pipe(p, O_NONBLOCK)
    assert sys(p, "read", r, p.buffer(4), 4) == -E.EAGAIN
    assert sys(p, "fcntl64", r, F_GETFL, 0) & O_NONBLOCK
    assert sys(p, "fcntl64", r, F_SETFL, 0) == 0
    with pytest.raises(Blocked):
        sys(p, "read", r, p.buffer(4), 4)


def test_write_without_readers_is_epipe_with_sigpipe():
    _, p = world()
    r, w = pipe(p)
    sys(p, "close", r)
    assert sys(p, "write", w, p.put(b"lost"), 4) == -E.EPIPE
    reader, writer = make_pipe()
    reader.hold()
    reader.drop()
    with pytest.raises(E.SyscallError) as caught:
        writer.write(b"x")
    assert caught.value.errno == E.EPIPE and caught.value.signal == SIGPIPE


def test_dup_and_fork_share_the_ends():
    kernel, p = world()
    r, w = pipe(p)
    w2 = sys(p, "dup", w)
    sys(p, "close", w)
    child = Proc(kernel, p.ns.mnt, pid=2)
    child.files = p.files.fork()
    sys(p, "close", w2)                              # the child still holds a writer
    with pytest.raises(Blocked):
        sys(p, "read", r, p.buffer(4), 4)
    assert sys(child, "write", w2, child.put(b"kid"), 3) == 3
    buf = p.buffer(4)
    assert sys(p, "read", r, buf, 4) == 3
    child.files.close_all()
    assert sys(p, "read", r, buf, 4) == 0


def test_pipe2_flags_and_bad_pointer():
    _, p = world()
    assert sys(p, "pipe2", 0x10, 0) == -E.EFAULT
    assert sorted(p.files.files) == []               # nothing left open
    assert sys(p, "pipe2", p.buffer(8), 0x1) == -E.EINVAL
    r, w = pipe(p, O_CLOEXEC)
    assert p.files.cloexec == {r, w}
    p.files.exec_close()
    assert p.files.files == {}


def test_ppoll_reports_readiness_and_sleeps_on_the_ends():
    kernel, p = world()
    r, w = pipe(p)
    fds = p.put(struct.pack("<ihhihh", r, 1, 0, w, 4, 0))
    assert sys(p, "ppoll_time64", fds, 2, 0, 0, 8) == 1       # only the writer is ready
    assert struct.unpack("<ihhihh", p.space.read(fds, 16))[5] == 4
    only_r = p.put(struct.pack("<ihh", r, 1, 0))
    zero = p.put(struct.pack("<qq", 0, 0))
    assert sys(p, "ppoll_time64", only_r, 1, zero, 0, 8) == 0  # timeout 0: poll and return
    with pytest.raises(Blocked) as blocked:
        sys(p, "ppoll_time64", only_r, 1, 0, 0, 8)
    woken = []
    p.wake = lambda: woken.append(1)
    blocked.value.queue.add(p)
    sys(p, "write", w, p.put(b"!"), 1)
    assert woken == [1]
    assert sys(p, "ppoll_time64", only_r, 1, 0, 0, 8) == 1
    bad = p.put(struct.pack("<ihh", 77, 1, 0))
    assert sys(p, "ppoll_time64", bad, 1, 0, 0, 8) == 1       # POLLNVAL counts
    second = p.put(struct.pack("<qq", 1, 0))
    with pytest.raises(Blocked) as timed:
        sys(p, "ppoll_time64", p.put(struct.pack("<ihh", w, 1, 0)), 1, second, 0, 8)
    assert timed.value.deadline == kernel.now_ns() + 1_000_000_000
