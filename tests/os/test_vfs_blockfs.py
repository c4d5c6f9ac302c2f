"""blockfs on the modeled DMA disk: files survive a reboot from the saved image, a crash
(before or in the middle of a sync) leaves the last synced tree intact, blocks the
on-disk tree uses are never written over, io.max delays the next I/O, bad disks are
refused with an errno."""
from __future__ import annotations

import pytest
from test_vfs import Kernel, Proc, mkdir, openat, read_file, stat, sys, write_file

from vlab.host.devices.block import BlockDevice
from vlab.host.platform import Platform
from vlab.os import errno as E
from vlab.os.vfs.blockfs import BLOCK, BlockFs, mkfs, open_disk
from vlab.os.vfs.constants import O_RDWR, S_IFDIR, S_IFLNK
from vlab.os.vfs.devfs import Console
from vlab.os.vfs.rootfs import make_root
from vlab.os.waitq import Blocked

BUFFER = 0x8000_1000                  # the DMA bounce buffer: a page of RAM


def disk(image=None):
    platform = Platform(ram_size=8 << 20, disk_sectors=2048, disk_image=image)
    if image is None:
        mkfs(platform.block, BUFFER)
    return platform


def boot(platform, kernel=None):
    kernel = kernel or Kernel()
    fs = BlockFs(platform.block, BUFFER, kernel)
    return Proc(kernel, make_root(kernel, Console(), fs, mounts=())), fs


def test_files_survive_a_reboot_from_the_saved_image():
    platform = disk()
    p, fs = boot(platform)
    mkdir(p, "/home")
    write_file(p, "/home/big", bytes(range(256)) * 40)              # 10240 bytes, 3 blocks
    write_file(p, "/home/small", b"hello disk")
    sys(p, "symlinkat", p.put("home/small"), -100, p.put("/link"))
    assert sys(p, "sync") == 0
    saved = bytes(platform.block.image)
    assert platform.ledger.count("dma_byte") >= 4 * BLOCK          # every block by DMA
    q, _ = boot(disk(saved))
    assert read_file(q, "/home/big", 20000) == bytes(range(256)) * 40
    assert read_file(q, "/link") == b"hello disk"
    assert stat(q, "/home").kind == S_IFDIR and stat(q, "/link", 0x100).kind == S_IFLNK


def test_a_crash_loses_only_what_came_after_the_last_sync():
    platform = disk()
    p, fs = boot(platform)
    write_file(p, "/kept", b"synced")
    fd = openat(p, "/kept")
    assert sys(p, "fsync", fd) == 0
    write_file(p, "/kept", b"changed after")                      # not synced
    write_file(p, "/lost", b"never synced")
    crashed = bytes(platform.block.image)                         # the machine stops here
    q, _ = boot(disk(crashed))
    assert read_file(q, "/kept") == b"synced"
    assert read_file(q, "/lost") == -E.ENOENT


def test_a_crash_in_the_middle_of_a_sync_keeps_the_previous_tree():
    platform = disk()
    p, fs = boot(platform)
    write_file(p, "/a", b"first")
    fs.sync()
    write_file(p, "/a", b"second")
    write_file(p, "/b", b"new")
    writes = []
    real = fs.driver.write_sector

    def power_cut(sector, data):                                  # the superblock write
        writes.append(sector)
        raise RuntimeError("power cut")

    fs.driver.write_sector = power_cut
    with pytest.raises(RuntimeError):
        fs.sync()
    assert writes == [0]                                          # metadata went first
    q, _ = boot(disk(bytes(platform.block.image)))
    assert read_file(q, "/a") == b"first" and read_file(q, "/b") == -E.ENOENT
    fs.driver.write_sector = real
    fs.sync()
    r, _ = boot(disk(bytes(platform.block.image)))
    assert read_file(r, "/a") == b"second" and read_file(r, "/b") == b"new"


def test_blocks_of_the_on_disk_tree_are_never_written_over():
    platform = disk()
    p, fs = boot(platform)
    write_file(p, "/f", b"A" * (3 * BLOCK))
    fs.sync()
    committed = sorted(fs.committed)
    before = {b: bytes(platform.block.image[b * BLOCK:(b + 1) * BLOCK]) for b in committed}
    fd = openat(p, "/f", O_RDWR)
    assert sys(p, "write", fd, p.put(b"B" * 100), 100) == 100     # in place? no: copy
    sys(p, "ftruncate64", fd, 50, 0)
    sys(p, "unlinkat", -100, p.put("/f"), 0)
    write_file(p, "/g", b"C" * (4 * BLOCK))
    for block, content in before.items():
        assert platform.block.image[block * BLOCK:(block + 1) * BLOCK] == content


def test_truncate_then_grow_reads_zeros_and_space_is_reused_after_sync():
    platform = disk()
    p, fs = boot(platform)
    fd = openat(p, "/t", O_RDWR | 0o100)
    sys(p, "write", fd, p.put(b"abcdef"), 6)
    sys(p, "ftruncate64", fd, 2, 0)
    sys(p, "ftruncate64", fd, 6, 0)
    assert read_file(p, "/t") == b"ab\0\0\0\0"
    free_before = len(range(fs.first_data, fs.driver.blocks)) - len(fs.used | fs.committed)
    write_file(p, "/big", b"x" * (20 * BLOCK))
    sys(p, "unlinkat", -100, p.put("/big"), 0)
    fs.sync()
    free_after = len(range(fs.first_data, fs.driver.blocks)) - len(fs.used | fs.committed)
    assert free_after == free_before


def test_a_full_disk_is_enospc():
    platform = disk()
    p, fs = boot(platform)
    fd = openat(p, "/fill", O_RDWR | 0o100)
    chunk = p.put(b"z" * (64 << 10))
    total = 0
    while (n := sys(p, "write", fd, chunk, 64 << 10)) > 0:
        total += n
    assert n == -E.ENOSPC and total < 2048 * 512
    size = stat(p, "/fill").size
    assert size == total and size % BLOCK == 0                  # partial writes counted
    assert read_file(p, "/fill", 10) == b"z" * 10


def test_io_max_delays_the_next_io_of_the_process():
    class Io:
        def __init__(self):
            self.calls = []

        def delay_ns(self, now, nbytes, write, dev):
            self.calls.append((nbytes, write, dev))
            return 5000

    kernel = Kernel()
    p, fs = boot(disk(), kernel)
    p.cgroup = type("Cg", (), {"io": Io()})()
    write_file(p, "/f", b"12345678")                             # one I/O, charged
    assert p.cgroup.io.calls == [(8, True, (254, 0))]
    with pytest.raises(Blocked) as blocked:
        read_file(p, "/f")
    assert blocked.value.deadline == kernel.time + 5000 and blocked.value.queue is None
    kernel.time += 5000                                          # the delay served
    assert read_file(p, "/f") == b"12345678"
    assert p.cgroup.io.calls[-1] == (8, False, (254, 0))


def test_bad_disks_are_refused_with_an_errno():
    blank = Platform(ram_size=8 << 20, disk_sectors=2048)
    with pytest.raises(E.SyscallError) as caught:
        BlockFs(blank.block, BUFFER)
    assert caught.value.errno == E.EINVAL and "mkfs" in caught.value.why
    platform = disk()
    image = bytearray(platform.block.image)
    image[BLOCK + 3] ^= 0xFF                                     # metadata slot 0
    with pytest.raises(E.SyscallError) as caught:
        BlockFs(Platform(ram_size=8 << 20, disk_image=bytes(image)).block, BUFFER)
    assert caught.value.errno == E.EIO
    tiny = BlockDevice(Platform().bus, sectors=16)
    with pytest.raises(ValueError, match="too small"):
        mkfs(tiny, BUFFER)


def test_open_disk_formats_a_blank_disk_and_refuses_a_foreign_one():
    blank = Platform(ram_size=8 << 20, disk_sectors=2048)
    fs = open_disk(blank.block, BUFFER)
    assert fs.root.readdir() == [] and blank.block.image[:8] == b"VLABFS01"
    foreign = Platform(ram_size=8 << 20, disk_image=b"\x55" * (2048 * 512))
    with pytest.raises(E.SyscallError) as caught:
        open_disk(foreign.block, BUFFER)
    assert caught.value.errno == E.EINVAL
    assert foreign.block.image == bytearray(b"\x55" * (2048 * 512))   # not overwritten
