"""Random system calls with hostile arguments (issue 16): seeded, bounded.  Every call
returns a number (a result or -errno) or, for a call that must wait (a sleep, an empty
pipe), raises ``Blocked`` -- never another Python exception -- no call reads more
stdin than its buffer could take, and files written under the root stay within the
write quota."""
from __future__ import annotations

import io
import random

from vlab.host.platform import Platform
from vlab.isa.machine import Machine
from vlab.os.kernel import Kernel
from vlab.os.syscall import NUMBERS
from vlab.os.vm import FlatSpace, Sv32Space
from vlab.os.waitq import Blocked

RAM = 0x8000_0000
USER = RAM + (4 << 20)
QUOTA = 100_000
EXTREMES = [0, 1, 3, 0x7F, 0x1000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FF9C,
            USER, USER + 0x1000, RAM + (8 << 20) - 4, 0x1_0000, 0x2_0000, 0x1_0FFC]
NAMES = [b"/f\0", b"in.txt/\0", b"../x\0", b"/\0", b"d/\0", b"\xff\xfe\0", b"a" * 300 + b"\0"]


def process(space, root):
    kernel = Kernel()
    stdin = io.BytesIO(b"x" * 200_000)
    proc = kernel.spawn(space, brk_start=USER + 0x10000, brk_limit=USER + 0x40000,
                        stdin=stdin, stdout=io.BytesIO(), stderr=io.BytesIO(), root=root,
                        write_quota=QUOTA)
    return kernel, proc, stdin


def spaces():
    flat = FlatSpace(Platform(ram_size=8 << 20).bus)
    for i, name in enumerate(NAMES):
        flat.write(USER + 0x100 * i, name)
    machine = Machine(ram_size=8 << 20)
    paged = Sv32Space(machine.bus)
    paged.map(0x1_0000, 0x1000, writable=False, executable=True)
    paged.map(0x2_0000, 0x2000, writable=True)
    for i, name in enumerate(NAMES):
        paged.write(0x2_0000 + 0x100 * i, name)
    return [flat, paged]


def test_random_system_calls_return_numbers_and_respect_the_limits(tmp_path):
    (tmp_path / "in.txt").write_text("data")
    (tmp_path / "d").mkdir()
    numbers = sorted(NUMBERS.values())
    for space in spaces():
        kernel, proc, stdin = process(space, tmp_path)
        rng = random.Random(16)
        for _ in range(400):
            number = rng.choice(numbers + [999, 0xFFFF_FFFF])
            if number in (NUMBERS["exit"], NUMBERS["exit_group"]):
                continue
            args = [rng.choice(EXTREMES + [rng.randrange(1 << 32)]) for _ in range(6)]
            if number == NUMBERS["openat"] and rng.random() < 0.7:
                base = USER if isinstance(space, FlatSpace) else 0x2_0000
                args[1] = base + 0x100 * rng.randrange(len(NAMES))
            before = stdin.tell()
            try:
                result = kernel.syscall(proc, number, args)
            except Blocked:                   # would wait: block-and-restart, no change
                assert stdin.tell() == before
                continue
            assert isinstance(result, int) and 0 <= result < 1 << 32
            if number == NUMBERS["read"] and args[0] == 0:
                assert stdin.tell() - before <= space.writable_prefix(args[1], args[2])
        written = sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file())
        assert written <= QUOTA + len("data")
