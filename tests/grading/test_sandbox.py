"""``vlab.course.sandbox``: the limits bound real resources and nothing outlives a run.

Each test runs under the resource-limit fallback and, where bubblewrap works on this
machine, under bubblewrap too.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import pytest

from vlab.course import sandbox
from vlab.course.sandbox import Limits, run_confined

pytestmark = pytest.mark.timeout(120)

MODES = ["rlimits", pytest.param("bubblewrap", marks=pytest.mark.skipif(
    sandbox.confinement() != "bubblewrap", reason="bubblewrap is not installed or usable"))]


@pytest.fixture(params=MODES)
def mode(request, monkeypatch):
    monkeypatch.setattr(sandbox, "confinement", lambda: request.param)
    return request.param


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def report(code: str) -> str:
    """Python code that runs ``code`` and writes ``repr`` of its value to the result pipe."""
    return ("import os\nresult = os.fdopen(int(os.environ['VLAB_RESULT_FD']), 'w')\n"
            f"try:\n    value = {code}\nexcept Exception as error:\n"
            "    value = type(error).__name__\nresult.write(repr(value))\n")


def _running(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                found.append(entry.name)
    return found


def test_a_daemon_that_leaves_the_process_group_is_killed(mode, tmp_path):
    code = ("import subprocess\n"
            "subprocess.Popen(['sleep', '778.5'], start_new_session=True)\n"
            "subprocess.Popen(['sh', '-c', 'setsid sleep 778.5 & sleep 778.5'])\n")
    run = run_confined(python(code), workdir=tmp_path, limits=Limits(wall_seconds=30))
    assert run.returncode == 0 and not run.timed_out
    assert _running("778.5") == []


def test_the_wall_clock_limit_kills_a_hang(mode, tmp_path):
    run = run_confined(python("import time\ntime.sleep(600)"), workdir=tmp_path,
                       limits=Limits(wall_seconds=2))
    assert run.timed_out


def test_memory_is_bounded(mode, tmp_path):
    run = run_confined(python(report("len(bytearray(3 << 30))")), workdir=tmp_path,
                       limits=Limits(wall_seconds=30, memory_bytes=1 << 30))
    assert run.result == b"'MemoryError'"


def test_file_size_is_bounded(mode, tmp_path):
    code = report("open('big', 'wb').write(bytes(2 << 20))")
    run = run_confined(python(code), workdir=tmp_path,
                       limits=Limits(wall_seconds=30, file_bytes=1 << 20))
    assert run.result == b"'OSError'"
    assert (tmp_path / "big").stat().st_size <= 1 << 20


def test_cpu_time_is_bounded(mode, tmp_path):
    run = run_confined(python("while True: pass"), workdir=tmp_path,
                       limits=Limits(wall_seconds=60, cpu_seconds=1))
    assert not run.timed_out and run.returncode != 0  # SIGXCPU, then SIGKILL


def test_the_result_channel_is_capped(mode, tmp_path):
    run = run_confined(python(report("result.write('x' * 10_000_000)")), workdir=tmp_path,
                       limits=Limits(wall_seconds=30, result_bytes=1000))
    assert len(run.result) == 1000


def test_secrets_in_the_environment_are_not_passed_on(mode, tmp_path, monkeypatch):
    monkeypatch.setenv("INSTRUCTOR_TOKEN", "s3cret")
    run = run_confined(python(report("os.environ.get('INSTRUCTOR_TOKEN')")),
                       workdir=tmp_path, limits=Limits(wall_seconds=30))
    assert run.result == b"None"


@pytest.mark.skipif(sandbox.confinement() != "bubblewrap",
                    reason="bubblewrap is not installed or usable")
def test_under_bubblewrap_only_the_working_folder_is_writable_and_there_is_no_network(
        tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    workdir = tmp_path / "work"
    workdir.mkdir()
    code = report(f"[os.path.exists({str(outside)!r}), "
                  f"__import__('socket').gethostbyname('localhost'), "
                  f"open('inside', 'w').write('ok')]")
    run = run_confined(python(code), workdir=workdir, limits=Limits(wall_seconds=30),
                       hidden=[tmp_path])
    assert run.confinement == "bubblewrap"
    assert (workdir / "inside").read_text() == "ok"
    assert b"True" not in run.result  # the hidden folder's file is not visible
    code = report("__import__('socket').create_connection(('1.1.1.1', 53), timeout=2)")
    run = run_confined(python(code), workdir=workdir, limits=Limits(wall_seconds=30))
    assert run.result == b"'OSError'"
