"""The host system itself: the kernel booted with the userland as its root, init as PID 1.

What ``vlab os boot`` and ``vlab os run`` start (the machine a container host is before
any container exists)::

    /                 a ramfs holding the userland (``userland_files()``: /bin/sh, the
                      coreutils subset, /sbin/init) -- the same files as ``vlab/base``
    /dev /proc /tmp   devtmpfs (the console is this terminal), procfs, tmpfs
    /sys/fs/cgroup    cgroup2 of the kernel's cgroup tree
    /mnt/disk         with a disk image: vlabfs on the modeled block device
                      (``vlab/os/vfs/blockfs.py``), formatted on first use, synced and
                      written back to the image file when the run ends

PID 1 is the userland's ``/sbin/init`` (``init -H HOSTNAME [COMMAND...]``): it runs the
command, or the console shell, reaps orphans, and exits with the command's status; the
end of PID 1 ends the run, and its status is the run's.

The disk image is written back atomically (temporary file + rename) after the file
system's ``sync``, so an interrupted run leaves the image of the previous run (the
crash-consistency rule of blockfs applies inside the image: the tree of the last sync).
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass

from .errors import ContainerError
from .process import DEFAULT_PATH

DISK_SECTORS = 16384                 # a new disk: 8 MiB
MOUNT_DISK = "/mnt/disk"
RAM = 64 << 20


@dataclass
class SystemRun:
    exit_code: int | None
    status: str                       # the machine's: 'exit', 'budget', 'halt'...
    message: str = ""
    instructions: int = 0


def read_disk(path) -> bytes | None:
    """The bytes of a disk image file (None: a new disk), checked."""
    if path is None or not os.path.exists(path):
        return None
    if not os.path.isfile(path):
        raise ContainerError(f"disk image {path} is not a regular file")
    size = os.path.getsize(path)
    if size % 512 or size == 0:
        raise ContainerError(f"disk image {path} is {size} bytes, not a whole number of "
                             "512-byte sectors: give an image vlab made, or a new name")
    if size > 1 << 30:
        raise ContainerError(f"disk image {path} is larger than 1 GiB")
    with open(path, "rb") as handle:
        return handle.read()


def boot_system(command=None, *, disk=None, stdin=None, stdout=None, stderr=None,
                budget: int = 10**12, hostname: str = "vlab", engine: str = "interp"
                ) -> SystemRun:
    """Boot, run ``command`` (None: the console shell) as init's child, end with init."""
    from vlab.host.platform import Platform
    from vlab.isa.elf import load_elf
    from vlab.isa.machine import Machine
    from vlab.os.cgroup import Cgroup
    from vlab.os.errno import SyscallError
    from vlab.os.file import FdTable
    from vlab.os.trap import start_user_program
    from vlab.os.vfs import fstypes
    from vlab.os.vfs.blockfs import MAGIC, mkfs
    from vlab.os.vfs.devfs import Console
    from vlab.os.vfs.namei import FsContext
    from vlab.os.vfs.openfile import stdio_files
    from vlab.os.vfs.ramfs import RamFs
    from vlab.os.vfs.rootfs import make_root

    from .fstree import mkdirs, populate
    from .images import base_files

    stdin = stdin if stdin is not None else io.BytesIO()
    image = read_disk(disk)
    platform = Platform(ram_size=RAM, disk_sectors=DISK_SECTORS, disk_image=image)
    machine = Machine(engine=engine, platform=platform)
    files = base_files()
    argv = ["/sbin/init", "-H", hostname, *(command or [])]
    env = [f"PATH={DEFAULT_PATH}", "HOME=/root", "TERM=vt100"]
    kernel = start_user_program(machine, load_elf(files["/sbin/init"]), paging=True,
                                argv=argv, envp=env, root_cgroup=Cgroup.new_root(),
                                stdin=stdin, stdout=stdout, stderr=stderr)
    init = kernel.processes[1]
    rootfs = RamFs("rootfs")
    populate(rootfs.root, files)
    kernel.console = Console(stdin, stdout, stderr)
    mnt = make_root(kernel, kernel.console, rootfs)
    kernel.root_ns.mnt = init.ns.mnt = mnt
    init.fs = FsContext(mnt.root())
    table = FdTable()
    for file in stdio_files(stdin, stdout, stderr):
        table.install(file)
    init.files = table
    disk_fs = None
    if disk is not None:
        if image is None:                                   # a new disk: format it
            mkfs(platform.block, kernel.frames.alloc())
        elif bytes(image[:len(MAGIC)]) != MAGIC:
            raise ContainerError(f"disk image {disk} holds no vlabfs (its first bytes are "
                                 f"not {MAGIC.decode()}): vlab formats only new images; "
                                 "give the name of a file that does not exist yet")
        try:
            disk_fs = fstypes.make("vlabfs", kernel, init, "/dev/vda")
        except SyscallError as exc:
            raise ContainerError(f"disk image {disk} cannot be mounted: {exc.why}") from None
        mnt.mount(disk_fs, mkdirs(init.fs, MOUNT_DISK), source="/dev/vda")
    result = machine.run(max_instructions=budget)
    if disk_fs is not None:
        disk_fs.sync()
        _write_back(disk, bytes(platform.block.image))
    return SystemRun(result.exit_code, result.status, getattr(result, "message", "") or "",
                     machine.hart.instret)


def _write_back(path, data: bytes) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=".disk-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
