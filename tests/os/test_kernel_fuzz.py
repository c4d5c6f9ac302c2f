"""The kernel's own calls (process, signal, time, namespace) with hostile arguments on a
paged process: seeded, bounded.  Every call returns a number or raises ``Blocked`` --
never another Python exception -- and the process table stays consistent."""
from __future__ import annotations

import io
import random

from vlab.isa.machine import Machine
from vlab.os import sysfork, sysns, sysproc, syssig, systime
from vlab.os.aspace import AddressSpace
from vlab.os.frames import FrameAllocator
from vlab.os.kernel import Kernel
from vlab.os.syscall import NUMBERS
from vlab.os.waitq import Blocked

DATA = 0x2_0000
EXTREMES = [0, 1, 2, 3, 9, 17, 64, 65, 0x1000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
            0xFFFF_FF9C, DATA, DATA + 0x1FF0, DATA + 0x2000, 0x1_0000, 0xC000_0000,
            0x2000_0011, 0x4000_0000, 0x0400_0000]
KERNEL_CALLS = sorted((set(sysproc.CALLS) | set(syssig.CALLS) | set(systime.CALLS)
                       | set(sysns.CALLS) | set(sysfork.CALLS)) - {"exit", "exit_group"})


def test_random_kernel_calls_return_numbers(tmp_path):
    machine = Machine(ram_size=16 << 20)
    frames = FrameAllocator(machine.bus, machine.ram.base + 4096,
                            machine.ram.base + machine.ram.size)
    kernel = Kernel(frames=frames, instret=lambda: machine.hart.instret)
    space = AddressSpace(frames)
    space.map(0x1_0000, 0x1000, writable=False, executable=True)
    space.map(DATA, 0x2000, writable=True)
    space.write(DATA, b"/bin/x\0")
    proc = kernel.spawn(space, brk_start=0, brk_limit=0, stdin=io.BytesIO(),
                        stdout=io.BytesIO(), stderr=io.BytesIO(), root=tmp_path)
    rng = random.Random(9)
    for _ in range(1500):
        name = rng.choice(KERNEL_CALLS)
        args = [rng.choice(EXTREMES + [rng.randrange(1 << 32)]) for _ in range(6)]
        live = [p for p in kernel.processes.values() if p.state != "Z"]
        caller = rng.choice(live) if live else None
        if caller is None:
            break
        try:
            result = kernel.syscall(caller, NUMBERS[name], args)
        except Blocked:
            continue
        assert isinstance(result, int) and 0 <= result < 1 << 32, (name, args)
    for pid, proc in kernel.processes.items():
        assert proc.pid == pid
        assert proc.parent is None or proc in proc.parent.children
    assert sum(kernel.calls.values()) > 200, kernel.calls
    if all(p.state == "Z" for p in kernel.processes.values()):
        assert frames.used_frames == 0                   # every space was freed
