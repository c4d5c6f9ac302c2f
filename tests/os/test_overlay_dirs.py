"""Directories of the kernel's overlay root live in the upper layer (vlab/os/fs/overlay.py,
vlab/os/vfs/overlayfs.py): an empty directory stays until rmdir, deleting a lower
directory's files leaves the directory (its copy-up holds the whiteouts), rmdir of a
lower directory writes a whiteout, and mkdir over a whiteout makes an opaque directory
(OCI image-spec layer.md, overlayfs).  Syscall-level cases on the inodes, then the
userland's sh, rm and mkdir inside a container."""
from __future__ import annotations

import io

import pytest

from vlab.os.errno import EEXIST, ENOENT, ENOTDIR, ENOTEMPTY, SyscallError
from vlab.os.fs import ImageLayer, WritableLayer
from vlab.os.fs.errors import FsError
from vlab.os.fs.overlay import DirectoryNotEmpty, FileExists, Overlay
from vlab.os.vfs.overlayfs import OverlayFs

LOWER = {"/data/a/x": b"x\n", "/data/a/sub/y": b"y\n", "/data/b": b"b\n",
         "/etc/motd": b"hi\n"}


def mount(upper=None):
    upper = upper if upper is not None else WritableLayer()
    return OverlayFs(Overlay(upper, [ImageLayer(LOWER, name="image")])), upper


def walk(fs, path):
    inode = fs.root
    for name in [n for n in path.split("/") if n]:
        inode = inode.lookup(name)
    return inode


def names(fs, path):
    return [name for name, _ in walk(fs, path).readdir()]


def errno_of(call, *args):
    with pytest.raises(SyscallError) as info:
        call(*args)
    return info.value.errno


def rm_r(fs, path):
    """What rm -r does: unlink the files, rmdir the directories, deepest first."""
    directory = walk(fs, path)
    for name, inode in directory.readdir():
        if inode.is_dir():
            rm_r(fs, f"{path}/{name}")
        else:
            directory.unlink(name)
    parent, name = path.rsplit("/", 1)
    walk(fs, parent or "/").rmdir(name)


def test_rm_r_of_a_lower_directory_deletes_it_with_one_whiteout():
    fs, upper = mount()
    rm_r(fs, "/data/a")
    assert names(fs, "/data") == ["b"]
    assert errno_of(walk, fs, "/data/a") == ENOENT
    assert "/data/a" in upper.whiteouts                 # the files' whiteouts folded in
    assert not any(p.startswith("/data/a/") for p in upper.whiteouts | upper.dirs)


def test_a_lower_directory_emptied_file_by_file_stays_and_takes_a_mkdir():
    fs, upper = mount()
    etc = walk(fs, "/etc")
    etc.unlink("motd")
    assert walk(fs, "/etc").is_dir() and names(fs, "/etc") == []
    etc.mkdir("new", 0o755)                             # the parent emptied: still there
    assert names(fs, "/etc") == ["new"]
    assert {"/etc", "/etc/new"} <= upper.dirs and "/etc/motd" in upper.whiteouts


def test_an_empty_directory_is_in_the_upper_layer_not_the_mount():
    fs, upper = mount()
    walk(fs, "/").mkdir("srv", 0o755)
    walk(fs, "/srv").mkdir("www", 0o755)
    walk(fs, "/srv/www").create("index", 0o644)
    walk(fs, "/srv/www").unlink("index")
    again, _ = mount(upper)                             # a second mount of the same upper
    assert names(again, "/srv") == ["www"] and names(again, "/srv/www") == []
    assert errno_of(walk(again, "/").rmdir, "srv") == ENOTEMPTY
    walk(again, "/srv").rmdir("www")
    walk(again, "/").rmdir("srv")
    assert "srv" not in names(again, "/") and not upper.whiteouts   # never in a lower


def test_mkdir_over_a_whited_out_directory_is_opaque():
    fs, upper = mount()
    rm_r(fs, "/data/a")
    walk(fs, "/data").mkdir("a", 0o755)
    assert names(fs, "/data/a") == []                   # the lower x and sub stay hidden
    assert "/data/a" in upper.opaque and "/data/a" not in upper.whiteouts
    walk(fs, "/data/a").create("x", 0o644)
    assert names(fs, "/data/a") == ["x"] and walk(fs, "/data/a/x").read_at(0, 9) == b""
    layer = upper.commit("changes")                     # the OCI markers in the layer tar
    assert "/data/a" in layer.opaque_dirs()


def test_bad_directory_calls_are_errors_with_errno():
    fs, _ = mount()
    root = walk(fs, "/")
    assert errno_of(root.mkdir, "data", 0o755) == EEXIST
    assert errno_of(walk(fs, "/data").rmdir, "a") == ENOTEMPTY
    assert errno_of(walk(fs, "/data").rmdir, "b") == ENOTDIR
    assert errno_of(walk(fs, "/data").rmdir, "zz") == ENOENT
    overlay = Overlay(WritableLayer(), [ImageLayer(LOWER)])
    with pytest.raises(FileExists):
        overlay.mkdir("/data/b")
    with pytest.raises(DirectoryNotEmpty):
        overlay.rmdir("/data")
    with pytest.raises(FsError) as info:
        overlay.mkdir("/nowhere/d")
    assert info.value.errno == ENOENT


# -- the userland inside a container -----------------------------------------------------

@pytest.fixture(scope="module")
def base(tmp_path_factory):
    from vlab.os.container.images import open_store
    from vlab.os.container.statedir import StateDir
    return open_store(StateDir(tmp_path_factory.mktemp("state"))).layers("vlab/base")


def in_container(base, script: str):
    from vlab.os.container.kernelrun import Host
    from vlab.os.container.launch import LaunchPlan
    from vlab.os.container.process import ProcessConfig
    out, upper = io.BytesIO(), WritableLayer()
    data = ImageLayer({"/data/a/x": b"x\n", "/data/a/sub/y": b"y\n", "/data/b": b"b\n"},
                      name="data")
    host = Host()
    plan = LaunchPlan("dirs" * 3, [data, *base], upper,
                      ProcessConfig(["/bin/sh", "-c", script], ["PATH=/bin:/sbin"], "/", 0,
                                    0, "dirs"), [], {}, 0, None, out, out)
    run = host.start(plan)
    result = host.run(30_000_000)
    assert result.status == "exit", result
    return out.getvalue().decode(), run.outcome(host).exit_code, upper


def test_sh_rm_r_and_mkdir_in_a_container(base):
    text, code, upper = in_container(base, (
        "rm -r /data/a && echo removed; ls /data; "
        "mkdir /data/a && echo made; ls /data/a; echo new > /data/a/x; ls /data/a; "
        "mkdir -p /n/m && echo hi > /n/m/f && rm -r /n && echo gone; ls /"))
    assert code == 0, text
    lines = text.splitlines()
    assert lines[:5] == ["removed", "b", "made", "x", "gone"], text
    assert "data" in lines[5:] and "n" not in lines[5:], text
    assert "/data/a" in upper.opaque and "/data/a/x" in upper.files


def test_sh_mkdir_in_a_directory_emptied_by_rm(base):
    text, code, upper = in_container(base, (
        "rm /data/a/x && rm -r /data/a/sub && mkdir /data/a/z && echo ok; ls /data/a"))
    assert (code, text.splitlines()) == (0, ["ok", "z"]), text
    assert "/data/a/z" in upper.dirs and "/data/a/sub" in upper.whiteouts
