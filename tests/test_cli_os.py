"""``vlab os boot`` / ``vlab os run``: the kernel with init and the userland, exit statuses,
a persistent disk image, clear errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from vlab.cli import main


def test_run_exits_with_the_commands_status(capfd):
    assert main(["os", "run", "--", "sh", "-c", "echo hi; hostname; exit 3"]) == 3
    assert capfd.readouterr().out == "hi\nvlab\n"


def test_run_shows_init_as_pid_1(capfd):
    assert main(["os", "run", "--hostname", "lab1", "--", "sh", "-c", "ps; hostname"]) == 0
    lines = capfd.readouterr().out.splitlines()
    assert lines[1].split()[:2] == ["1", "0"] and "/sbin/init" in lines[1]
    assert lines[-1] == "lab1"


def test_a_disk_image_persists_between_runs(tmp_path, capfd):
    disk = tmp_path / "disk.img"
    assert main(["os", "run", str(disk), "--", "sh", "-c", "echo kept > /mnt/disk/note"]) == 0
    assert disk.stat().st_size % 512 == 0
    capfd.readouterr()
    assert main(["os", "run", str(disk), "--", "cat", "/mnt/disk/note"]) == 0
    assert capfd.readouterr().out == "kept\n"


@pytest.mark.parametrize("content", [b"junk", bytes(512), b"\x01" * 8192])
def test_a_foreign_disk_image_is_refused_and_left_alone(tmp_path, capfd, content):
    disk = tmp_path / "foreign.img"
    disk.write_bytes(content)
    assert main(["os", "run", str(disk), "--", "true"]) == 125
    assert "error: disk image" in capfd.readouterr().err
    assert disk.read_bytes() == content


def test_usage_budget_and_missing_command(capfd):
    assert main(["os", "run"]) == 2
    assert main(["os"]) == 2
    assert main(["os", "run", "--max-instructions", "100000", "--", "yes"]) == 124
    assert "budget" in capfd.readouterr().err
    assert main(["os", "run", "--", "nosuch"]) == 127


def test_boot_runs_an_interactive_shell_on_stdin():
    done = subprocess.run([sys.executable, "-m", "vlab", "os", "boot", "--hostname", "h1"],
                          input=b"echo from-stdin\nhostname\nexit 4\n", capture_output=True,
                          timeout=300)
    assert done.returncode == 4, done.stderr
    assert b"from-stdin\n" in done.stdout and b"h1\n" in done.stdout
    assert b"Traceback" not in done.stderr
