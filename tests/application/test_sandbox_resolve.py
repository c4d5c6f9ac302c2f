"""The application sandbox's host resolves paths like every other sandbox (issue 16).

``SandboxedHost`` offers ``resolve`` and ``read_file_at_most`` as the HLL VM's hosts do
(vlab/application/hll/host.py), so the policy judges the path the layered file system
opens, a read is capped *before* a package file is streamed, only regular files are read,
and no symbolic link can be brought into the layers to escape through.  Each test is an
attack by a hostile program or package.
"""
import io
import os
import tarfile

import pytest

from vlab.application.hll.host import FileTooBig, read_at_most, resolve
from vlab.application.hll.policy import Policy
from vlab.application.sandbox.hll_app import package_program, run_app
from vlab.application.sandbox.packager import build_package_from_directory
from vlab.application.sandbox.workstation import Workstation
from vlab.os.fs.errors import LayerFormatError, PathEscapeError
from vlab.os.fs.image_layer import ImageLayer

HOST = {"/etc/motd": b"welcome\n", "/etc/passwd": b"root:x:0:0\n"}
BIG = 3 * 2**20


@pytest.fixture
def ws():
    return Workstation(HOST)


def launch(ws, source, name="app", files=None):
    return ws.launch(package_program(source, name, files=files))


def test_the_sandbox_host_has_the_safe_methods(ws):
    host = launch(ws, "pass\n").host()
    assert callable(host.resolve) and callable(host.read_file_at_most)
    assert resolve(host, "data/./x/../y.txt") == "/apps/app/data/y.txt"   # its directory
    with pytest.raises(PermissionError):
        resolve(host, "/../etc/passwd")
    with pytest.raises(PermissionError):
        resolve(host, "/etc/pass\0wd")


def test_a_huge_package_file_is_refused_before_it_is_streamed(ws):
    app = launch(ws, '''
try:
    s = read_text("/apps/hog/data/big.txt")
    print("read", len(s))
except OutOfMemoryError:
    print("too big")
''', "hog", files={"data/big.txt": b"x" * BIG})
    run = run_app(app, heap_limit=2**20)
    assert run.output == "too big\n"
    fetched = {path for event in run.fetches for path in event.paths}
    assert "/apps/hog/data/big.txt" not in fetched          # not one block of it
    assert not app.stats.bytes_fetched >= BIG


def test_read_at_most_checks_the_size_from_the_file_table(ws):
    app = launch(ws, "pass\n", "hog", files={"data/big.txt": b"x" * BIG})
    host = app.host()
    before = app.stats.bytes_fetched
    with pytest.raises(FileTooBig, match="more than the 1000"):
        read_at_most(host, "/apps/hog/data/big.txt", 1000)
    assert app.stats.bytes_fetched == before
    assert read_at_most(host, "/etc/motd", 8) == b"welcome\n"
    with pytest.raises(FileTooBig):
        read_at_most(host, "/etc/motd", 7)


def test_a_directory_is_not_read_as_a_file(ws):
    app = launch(ws, '''
for path in ["/etc", "/apps/dirs/data", "/"]:
    try:
        read_text(path)
        print("read", path)
    except OSError as e:
        print("refused", path)
''', "dirs", files={"data/a.txt": b"a"})
    assert run_app(app).output == "refused /etc\nrefused /apps/dirs/data\nrefused /\n"


def test_policy_judges_the_path_the_sandbox_opens(ws):
    source = '''
for path in ["/apps/snoop/../../etc/passwd", "data/../../../etc/passwd", "/../etc/passwd",
             "data/mine.txt"]:
    try:
        print(read_text(path), end="")
    except PermissionError as e:
        print("denied:", e)
'''
    app = launch(ws, source, "snoop", files={"data/mine.txt": b"mine\n"})
    run = run_app(app, policy=Policy(read_paths=("/apps/snoop",)))
    lines = run.output.splitlines()
    assert lines[0] == "denied: policy denies read access to /etc/passwd"
    assert lines[1].startswith("denied:") and lines[2].startswith("denied:")
    assert "root:x" not in run.output
    assert lines[3] == "mine"        # relative: judged and opened in the app's directory


def test_a_relative_write_is_judged_where_it_lands(ws):
    app = launch(ws, '''
try:
    write_text("out.txt", "x")
    print("written")
except PermissionError as e:
    print("denied:", e)
''', "writer")
    run = run_app(app, policy=Policy(read_paths=("/",), write_paths=("/out.txt",)))
    assert run.output.startswith("denied: policy denies write access to /apps/writer/out.txt")
    assert run.sandbox_changes == []


def test_a_package_cannot_carry_a_symlink(tmp_path):
    source = tmp_path / "app"
    source.mkdir()
    (source / "ok.txt").write_text("ok")
    os.symlink("/etc/passwd", source / "passwd")
    with pytest.raises(PathEscapeError, match="symbolic link"):
        build_package_from_directory(source, "linky")


def test_a_layer_cannot_carry_a_symlink_or_a_fifo():
    for kind in (tarfile.SYMTYPE, tarfile.FIFOTYPE):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            member = tarfile.TarInfo("etc/evil")
            member.type, member.linkname = kind, "/etc/shadow"
            archive.addfile(member)
        with pytest.raises(LayerFormatError, match="regular files only"):
            ImageLayer.from_tar(buffer.getvalue())
