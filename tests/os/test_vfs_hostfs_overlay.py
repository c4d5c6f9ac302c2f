"""hostfs (``--root`` and bind mounts ``-v HOST:CTR[:ro]``) and the overlay adapter (an
image as a container root): reads, writes, escapes refused, read-only binds, layers
untouched by a container's writes."""
from __future__ import annotations

import os

from test_vfs import AT_FDCWD, Kernel, Proc, mkdir, openat, read_file, stat, sys, write_file

from vlab.os import errno as E
from vlab.os.fs import ImageLayer, Overlay, WritableLayer
from vlab.os.quota import WriteQuota
from vlab.os.vfs.constants import O_CREAT, O_RDWR, O_WRONLY, S_IFDIR, S_IFLNK, S_IFREG
from vlab.os.vfs.devfs import Console
from vlab.os.vfs.hostfs import HostFs
from vlab.os.vfs.namei import lookup
from vlab.os.vfs.overlayfs import OverlayFs
from vlab.os.vfs.rootfs import make_root


def boot(root_fs):
    kernel = Kernel()
    return Proc(kernel, make_root(kernel, Console(), root_fs))


def bind(p, fs, target, readonly=False):
    where = lookup(p.fs, p.fs.root, target)
    p.ns.mnt.mount(fs, where, readonly=readonly)


# -- hostfs ----------------------------------------------------------------------------------

def test_hostfs_root_reads_writes_and_lists(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "motd").write_text("hi\n")
    p = boot(HostFs(tmp_path))
    assert read_file(p, "/etc/motd") == b"hi\n"
    write_file(p, "/etc/new", b"made inside")
    assert (tmp_path / "etc" / "new").read_bytes() == b"made inside"
    assert mkdir(p, "/var") == 0 and (tmp_path / "var").is_dir()
    assert (tmp_path / "dev").is_dir()                     # make_root made mount points
    assert read_file(p, "/dev/zero", 4) == bytes(4)        # devfs mounted over hostfs
    assert sys(p, "renameat2", AT_FDCWD, p.put("/etc/new"), AT_FDCWD, p.put("/var/n"), 0) == 0
    assert (tmp_path / "var" / "n").exists() and not (tmp_path / "etc" / "new").exists()
    assert sys(p, "unlinkat", AT_FDCWD, p.put("/var/n"), 0) == 0
    assert sys(p, "unlinkat", AT_FDCWD, p.put("/var"), 0x200) == 0
    assert not (tmp_path / "var").exists()


def test_hostfs_cannot_be_left_by_dotdot_or_symlinks(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "secret").write_text("host secret")
    (root / "abs").symlink_to(tmp_path / "secret")
    (root / "rel").symlink_to("../secret")
    (root / "inside").symlink_to("etc")
    (root / "etc").mkdir()
    p = boot(HostFs(root))
    assert read_file(p, "/../secret") == -E.ENOENT          # .. stops at the root
    assert read_file(p, "/abs") == -E.ENOENT                # followed in the guest root
    assert read_file(p, "/rel") == -E.ENOENT
    assert stat(p, "/abs", 0x100).kind == S_IFLNK            # lstat shows the link
    strict = boot(HostFs(root, strict_links=True))           # the --root sandbox's rule
    assert read_file(strict, "/abs") == -E.EACCES
    assert read_file(strict, "/rel") == -E.EACCES
    assert stat(p, "/inside").kind == S_IFDIR               # a link inside is followed
    assert sys(p, "symlinkat", p.put("/"), AT_FDCWD, p.put("/etc/up")) == 0
    assert stat(p, "/etc/up/etc").kind == S_IFDIR           # resolved in the guest root


def test_hostfs_refuses_fifos_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    p = boot(HostFs(tmp_path))
    assert openat(p, "/fifo") == -E.EACCES
    assert openat(p, "/fifo", O_WRONLY) == -E.EACCES


def test_hostfs_write_quota(tmp_path):
    p = boot(HostFs(tmp_path, quota=WriteQuota(10)))
    fd = openat(p, "/f", O_WRONLY | O_CREAT)
    assert sys(p, "write", fd, p.put(b"x" * 25), 25) == 10
    assert sys(p, "write", fd, p.put(b"x"), 1) == -E.EDQUOT


def test_read_only_bind_of_a_host_directory(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "data").write_text("v1")
    p = boot(None)
    mkdir(p, "/mnt")
    bind(p, HostFs(shared), "/mnt", readonly=True)
    assert read_file(p, "/mnt/data") == b"v1"
    assert openat(p, "/mnt/data", O_RDWR) == -E.EROFS
    assert openat(p, "/mnt/x", O_WRONLY | O_CREAT) == -E.EROFS
    assert sys(p, "unlinkat", AT_FDCWD, p.put("/mnt/data"), 0) == -E.EROFS
    assert sys(p, "renameat2", AT_FDCWD, p.put("/mnt/data"), AT_FDCWD, p.put("/mnt/y"),
               0) == -E.EROFS
    assert sys(p, "ftruncate64", openat(p, "/mnt/data"), 0, 0) == -E.EINVAL
    assert read_file(p, "/mnt/../mnt/data") == b"v1"
    assert sorted(os.listdir(shared)) == ["data"] and (shared / "data").read_text() == "v1"


# -- overlay ---------------------------------------------------------------------------------

def image():
    base = ImageLayer({"/bin/sh": b"\x7fELF shell", "/etc/hostname": b"base\n",
                       "/etc/os-release": b"ID=vlab\n"})
    app = ImageLayer({"/app/run": b"app v1"})
    upper = WritableLayer("container")
    return Overlay(upper, [app, base]), base, app, upper


def test_a_container_root_on_an_image():
    overlay, base, app, upper = image()
    p = boot(OverlayFs(overlay))
    assert read_file(p, "/etc/hostname") == b"base\n"
    assert stat(p, "/bin").kind == S_IFDIR and stat(p, "/bin/sh").kind == S_IFREG
    from test_procfs import names_in
    assert names_in(p, "/") == [".", "..", "app", "bin", "dev", "etc", "proc", "tmp"]
    write_file(p, "/etc/hostname", b"box\n")                 # copy-up into the upper
    assert read_file(p, "/etc/hostname") == b"box\n"
    assert base.read("/etc/hostname") == b"base\n"            # the layer is unchanged
    assert upper.read("/etc/hostname") == b"box\n"
    fd = openat(p, "/app/run", O_WRONLY)
    sys(p, "_llseek", fd, 0, 4, p.buffer(8), 0)
    assert sys(p, "write", fd, p.put(b"v2"), 2) == 2
    assert read_file(p, "/app/run") == b"app v2" and upper.copy_ups >= 2
    assert sys(p, "unlinkat", AT_FDCWD, p.put("/etc/os-release"), 0) == 0
    assert read_file(p, "/etc/os-release") == -E.ENOENT
    assert "/etc/os-release" in upper.whiteouts and base.read("/etc/os-release")


def test_overlay_directories_and_errors():
    overlay, *_ = image()
    p = boot(OverlayFs(overlay))
    assert mkdir(p, "/data") == 0 and stat(p, "/data").kind == S_IFDIR
    assert mkdir(p, "/data") == -E.EEXIST
    write_file(p, "/data/x", b"1")
    assert sys(p, "unlinkat", AT_FDCWD, p.put("/data"), 0x200) == -E.ENOTEMPTY
    assert sys(p, "unlinkat", AT_FDCWD, p.put("/data/x"), 0) == 0
    assert stat(p, "/data").kind == S_IFDIR                  # emptied, still there
    assert sys(p, "unlinkat", AT_FDCWD, p.put("/data"), 0x200) == 0
    assert stat(p, "/data") == -E.ENOENT
    assert sys(p, "renameat2", AT_FDCWD, p.put("/etc"), AT_FDCWD, p.put("/etc2"), 0) == -E.EXDEV
    assert sys(p, "renameat2", AT_FDCWD, p.put("/bin/sh"), AT_FDCWD, p.put("/sh"), 0) == 0
    assert read_file(p, "/sh") == b"\x7fELF shell" and stat(p, "/bin/sh") == -E.ENOENT
    assert sys(p, "symlinkat", p.put("/sh"), AT_FDCWD, p.put("/link")) == -E.EPERM
    assert openat(p, "/etc/hostname/x") == -E.ENOTDIR


def test_a_missing_host_directory_is_an_errno_not_a_traceback(tmp_path):
    import pytest
    with pytest.raises(E.SyscallError) as caught:
        HostFs(tmp_path / "missing")
    assert caught.value.errno == E.ENOENT and "missing" in caught.value.why
