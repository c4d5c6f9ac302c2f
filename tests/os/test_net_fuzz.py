"""Hostile arguments to every socket call: the answer is a result or -errno (or a
block), never a Python exception, and never a huge host allocation."""
from __future__ import annotations

import random

from test_net_unix import server
from test_vfs import world

from vlab.os.errno import SyscallError
from vlab.os.sysnet import CALLS
from vlab.os.waitq import Blocked

VALUES = [0, 1, 2, 3, 5, 10, 16, 17, 110, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
          0xFFFF_FF9C, 0x10, 0x8000_0000 + (4 << 20)]


def test_random_arguments_never_raise_a_python_error():
    rng = random.Random(9)
    _, p = world()
    server(p)
    buffers = [p.buffer(256) for _ in range(4)]
    for _ in range(3000):
        name = rng.choice(sorted(CALLS))
        args = [rng.choice(VALUES + buffers) for _ in range(6)]
        try:
            result = CALLS[name](p.kernel, p, *args)
        except (SyscallError, Blocked):
            continue
        assert isinstance(result, int), (name, args)
