"""The layered file system: isolation, copy-on-write, whiteouts, removal, isolation modes."""

import pytest

from vlab.application.sandbox.errors import (
    PathEscapeError,
    VirtualFileNotFound,
    VirtualIsADirectory,
    VirtualNotADirectory,
)
from vlab.application.sandbox.packager import build_package
from vlab.application.sandbox.vfs import SandboxQuotaExceeded
from vlab.application.sandbox.workstation import Workstation

HOST = {
    "/etc/motd": b"welcome\n",
    "/home/student/notes.txt": b"buy milk\n",
    "/usr/lib/libc.txt": b"host libc\n",
}


def editor(**options):
    files = {"bin/editor": b"EDITOR", "/usr/lib/libc.txt": b"editor's private libc\n"}
    return build_package(files, "editor", **options)


def viewer():
    return build_package({"bin/viewer": b"VIEWER"}, "viewer")


@pytest.fixture
def ws():
    return Workstation(HOST)


def test_lookup_order_sandbox_over_package_over_host(ws):
    app = ws.launch(editor())
    assert app.vfs.read("/etc/motd") == b"welcome\n"
    assert app.vfs.layer_of("/etc/motd") == "host"
    assert app.vfs.read("/usr/lib/libc.txt") == b"editor's private libc\n"  # package shadows host
    assert app.vfs.layer_of("/usr/lib/libc.txt") == "package"
    app.vfs.write("/usr/lib/libc.txt", b"patched")
    assert app.vfs.layer_of("/usr/lib/libc.txt") == "sandbox"
    assert app.vfs.read("/usr/lib/libc.txt") == b"patched"


def test_writes_never_reach_the_host(ws):
    before = ws.host.digest()
    app = ws.launch(editor())
    app.vfs.write("/etc/motd", b"hacked\n")
    app.vfs.append("/home/student/notes.txt", b"and eggs\n")
    app.vfs.write("/tmp/new.txt", b"new")
    app.vfs.delete("/usr/lib/libc.txt")
    assert app.vfs.read("/etc/motd") == b"hacked\n"
    assert ws.host.digest() == before
    assert ws.host.read("/etc/motd") == b"welcome\n"
    assert ws.host.read("/tmp/new.txt") is None
    assert not hasattr(ws.host, "write")


def test_append_copies_a_lower_file_up(ws):
    app = ws.launch(editor())
    app.vfs.append("/home/student/notes.txt", b"and eggs\n")
    assert app.sandbox.files["/home/student/notes.txt"] == b"buy milk\nand eggs\n"
    assert app.sandbox.copy_ups == 1
    app.vfs.append("/home/student/notes.txt", b"and jam\n")
    assert app.sandbox.copy_ups == 1  # already in the sandbox: no second copy-up
    assert app.vfs.read("/home/student/notes.txt") == b"buy milk\nand eggs\nand jam\n"


def test_two_applications_do_not_see_each_others_writes(ws):
    first, second = ws.launch(editor()), ws.launch(viewer())
    first.vfs.write("/tmp/secret.txt", b"editor only")
    first.vfs.write("/etc/motd", b"editor's motd")
    assert not second.vfs.exists("/tmp/secret.txt")
    assert second.vfs.read("/etc/motd") == b"welcome\n"
    assert not second.vfs.exists("/apps/editor/bin/editor")  # nor each other's packages
    assert "/tmp/secret.txt" not in second.sandbox.files


def test_delete_of_a_lower_file_leaves_a_whiteout(ws):
    app = ws.launch(editor())
    app.vfs.delete("/etc/motd")
    assert not app.vfs.exists("/etc/motd")
    assert "/etc/motd" in app.sandbox.whiteouts
    assert not app.vfs.is_dir("/etc")  # directories are implicit: /etc held only motd
    assert ws.host.read("/etc/motd") == b"welcome\n"
    with pytest.raises(VirtualFileNotFound):
        app.vfs.read("/etc/motd")
    app.vfs.write("/etc/motd", b"reborn")  # writing again removes the whiteout
    assert app.vfs.read("/etc/motd") == b"reborn"
    assert "/etc/motd" not in app.sandbox.whiteouts


def test_delete_of_a_sandbox_only_file_leaves_no_whiteout(ws):
    app = ws.launch(editor())
    app.vfs.write("/tmp/scratch", b"x")
    app.vfs.delete("/tmp/scratch")
    assert not app.vfs.exists("/tmp/scratch")
    assert app.sandbox.whiteouts == set()


def test_deleting_the_package_copy_uncovers_nothing(ws):
    app = ws.launch(editor())
    app.vfs.delete("/usr/lib/libc.txt")  # the package's copy hides the host's
    assert not app.vfs.exists("/usr/lib/libc.txt")  # the whiteout hides both


def test_listdir_merges_layers_and_honours_whiteouts(ws):
    app = ws.launch(editor())
    app.vfs.write("/usr/lib/mine.txt", b"m")
    assert app.vfs.listdir("/usr/lib") == ["libc.txt", "mine.txt"]
    app.vfs.delete("/usr/lib/libc.txt")
    assert app.vfs.listdir("/usr/lib") == ["mine.txt"]
    assert app.vfs.listdir("/") == ["apps", "etc", "home", "usr"]
    assert app.vfs.listdir(".") == ["bin"]  # relative to the application's root


def test_removal_deletes_every_trace(ws):
    before = ws.host.digest()
    app = ws.launch(editor())
    app.vfs.write("/tmp/x", b"x")
    app.vfs.delete("/etc/motd")
    app.vfs.read("/apps/editor/bin/editor")
    ws.remove("editor")
    assert ws.applications == []
    assert app.sandbox.files == {} and app.sandbox.whiteouts == set()
    assert not app.client.is_cached("/apps/editor/bin/editor")
    assert ws.host.digest() == before
    fresh = ws.launch(editor())
    assert fresh.vfs.read("/etc/motd") == b"welcome\n"
    assert not fresh.vfs.exists("/tmp/x")


def test_relaunch_keeps_the_sandbox(ws):
    package = editor()
    ws.launch(package).vfs.write("state.txt", b"saved")
    again = ws.launch(package)
    assert again.vfs.read("/apps/editor/state.txt") == b"saved"
    assert again.stats.requests == 1  # the metadata, fetched once at the first launch


def test_full_isolation_hides_the_host(ws):
    app = ws.launch(editor(isolation={"/home": "full"}))
    assert not app.vfs.exists("/home/student/notes.txt")
    assert app.vfs.exists("/etc/motd")  # writecopy elsewhere
    app.vfs.write("/home/student/notes.txt", b"private")
    assert app.vfs.read("/home/student/notes.txt") == b"private"
    assert ws.host.read("/home/student/notes.txt") == b"buy milk\n"


@pytest.mark.parametrize("path", [
    "../../../etc/passwd", "/../etc/motd", "C:/Windows/win.ini", "\\\\host\\c$", "/etc/motd\0",
])
def test_path_escapes_are_refused_for_every_operation(ws, path):
    app = ws.launch(editor())
    for operation in (app.vfs.read, app.vfs.delete, app.vfs.exists,
                      lambda p: app.vfs.write(p, b"x"), lambda p: app.vfs.append(p, b"x")):
        with pytest.raises(PathEscapeError):
            operation(path)
    assert app.sandbox.files == {}


def test_directories_and_files_do_not_mix(ws):
    app = ws.launch(editor())
    with pytest.raises(VirtualIsADirectory):
        app.vfs.write("/etc", b"x")
    with pytest.raises(VirtualIsADirectory):
        app.vfs.read("/home/student")
    with pytest.raises(VirtualNotADirectory):
        app.vfs.write("/etc/motd/inner", b"x")
    with pytest.raises(VirtualNotADirectory):
        app.vfs.listdir("/etc/motd")
    with pytest.raises(VirtualFileNotFound):
        app.vfs.listdir("/nowhere")


def test_sandbox_quota_stops_a_disk_filler():
    ws = Workstation(HOST, quota_bytes=1500)
    app = ws.launch(editor())
    app.vfs.write("/tmp/a", b"x" * 600)  # 600 + a 256-byte entry + 6 bytes of name
    app.vfs.write("/tmp/a", b"x" * 900)  # replacing a file counts only the growth
    assert app.sandbox.usage_bytes() == 900 + 256 + 6
    with pytest.raises(SandboxQuotaExceeded, match="to 1562 bytes, past its quota of 1500"):
        app.vfs.append("/tmp/a", b"x" * 400)
    assert len(app.vfs.read("/tmp/a")) == 900


def test_sandbox_quota_counts_empty_files_and_whiteouts():
    ws = Workstation(HOST, quota_bytes=10_000)
    app = ws.launch(editor())
    written = 0
    with pytest.raises(SandboxQuotaExceeded):
        for number in range(10_000):
            app.vfs.write(f"/tmp/f{number:04}", b"")
            written += 1
    assert written == 10_000 // (256 + len("/tmp/f0000"))
    app.vfs.delete("/tmp/f0000")
    app.vfs.delete("/etc/motd")  # a whiteout costs an entry too
    assert app.sandbox.usage_bytes() == (written - 1) * 266 + 256 + len("/etc/motd")
