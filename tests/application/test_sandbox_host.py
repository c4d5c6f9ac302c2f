"""SandboxedHost: the HLL VM's host interface over a sandboxed application's VFS."""

import pytest

from vlab.application.hll.host import HostInterface
from vlab.application.sandbox.packager import build_package
from vlab.application.sandbox.workstation import Workstation

HOST = {"/etc/motd": b"welcome\n", "/home/student/notes.txt": b"milk\n"}


@pytest.fixture
def app():
    package = build_package({"data/config.txt": b"size=3\n", "classes/Main.vclass": b"CLS"},
                            "tool", launch=["classes/Main.vclass"])
    return Workstation(HOST).launch(package)


def test_implements_the_hll_host_interface(app):
    assert isinstance(app.host(), HostInterface)


def test_console_is_collected_and_echoed(app):
    seen = []
    host = app.host(echo=seen.append)
    host.write_console("hello ")
    host.write_console("world\n")
    assert host.output() == "hello world\n" and seen == ["hello ", "world\n"]


def test_reads_see_the_layers_and_writes_land_in_the_sandbox(app):
    host = app.host()
    assert host.read_file("data/config.txt") == b"size=3\n"  # relative to the app root
    assert host.read_file("/etc/motd") == b"welcome\n"
    host.write_file("/etc/motd", b"mine\n")
    host.write_file("out.txt", b"result")
    assert host.read_file("/etc/motd") == b"mine\n"
    assert app.sandbox.files == {"/etc/motd": b"mine\n", "/apps/tool/out.txt": b"result"}
    assert host.list_dir("/apps/tool") == ["classes", "data", "out.txt"]


@pytest.mark.parametrize("call, error", [
    (lambda h: h.read_file("/nope"), FileNotFoundError),
    (lambda h: h.read_file("../../../../etc/shadow"), PermissionError),
    (lambda h: h.write_file("/../x", b""), PermissionError),
    (lambda h: h.write_file("C:/boot.ini", b""), PermissionError),
    (lambda h: h.read_file("/etc"), IsADirectoryError),
    (lambda h: h.list_dir("/etc/motd"), NotADirectoryError),
    (lambda h: h.list_dir("/nowhere"), FileNotFoundError),
])
def test_sandbox_errors_reach_natives_as_os_errors(app, call, error):
    with pytest.raises(error) as info:
        call(app.host())
    assert info.type is error  # exactly the OSError kind a native expects
    assert "'" in str(info.value)  # the sandbox's message, naming the path


def test_clock_is_modeled_and_includes_stream_waits(app):
    host = app.host()
    host.instructions = 100
    start = host.clock_ns()
    assert start == 100 * 10 + round(app.stats.modeled_us * 1000)
    host.read_file("classes/Main.vclass")  # a stream fault: time passes for the program
    assert host.clock_ns() > start
