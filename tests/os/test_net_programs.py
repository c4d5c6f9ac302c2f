"""C programs (musl) on the kernel: an AF_UNIX server and client, and a UDP echo over
127.0.0.1, each as a parent and a forked child; the exact output."""
from __future__ import annotations

from pathlib import Path

import pytest

from vlab.isa.runtime import compile_c, find_compiler
from vlab.os.boot import run_program

pytestmark = [pytest.mark.toolchain,
              pytest.mark.skipif(find_compiler() is None, reason="needs the pinned ziglang")]
PROGRAMS = Path(__file__).parent / "net_programs"


def run(name, tmp_path):
    elf = compile_c([PROGRAMS / f"{name}.c"], tmp_path / f"{name}.elf", libc="musl")
    done = run_program(elf, max_instructions=50_000_000)
    assert done.exit_code == 0, (done.result, done.stderr)
    assert not done.booted.kernel.unknown
    return done


def test_unix_stream_server_and_client(tmp_path):
    done = run("unix_echo", tmp_path)
    assert done.stdout.decode().splitlines() == [
        "connect to nobody: No such file or directory",
        "server read 24 bytes",
        "client got: HELLO OVER A UNIX SOCKET",
        "client exited 0",
        "write to a closed pair: Broken pipe",
    ]
    calls = done.booted.kernel.calls
    assert calls["connect"] == 2 and calls["socketpair"] == 1
    assert calls["accept"] == 2        # it blocked once (no client yet) and was restarted


def test_udp_echo_over_loopback(tmp_path):
    done = run("udp_echo", tmp_path)
    assert done.stdout.decode().splitlines() == [
        "server got ping (4 bytes) from 127.0.0.1:32768",
        "child got 4",
        "server got pong! (5 bytes) from 127.0.0.1:32768",
        "child got 5",
        "child exited 0",
    ]


def test_a_network_namespace_has_its_own_loopback(tmp_path):
    done = run("udp_netns", tmp_path)
    assert done.stdout.decode().splitlines() == [
        "child bound 127.0.0.1:7777 in its own namespace",
        "parent: nothing (Resource temporarily unavailable)",
        "parent got: from the same namespace",
    ]
    assert done.booted.kernel.calls["unshare"] == 1
