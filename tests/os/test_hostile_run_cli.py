"""``vlab run`` (and ``asm``/``disasm``) under the attacks of issue 16, end to end: each
ends with a clear message and a documented status, never a traceback or a hang."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from vlab.cli import main

# write 1 MiB chunks into /out until write() fails; exit with the errno it returned
FLOOD = """
_start:
    li a0, -100
    la a1, path
    li a2, 0x241          # O_WRONLY | O_CREAT | O_TRUNC
    li a3, 0x1a4
    li a7, 56             # openat
    ecall
    mv s0, a0
1:  mv a0, s0
    li a1, 0x80400000     # any user memory (paging off)
    li a2, 0x100000
    li a7, 64             # write
    ecall
    bgez a0, 1b
    neg a0, a0
    li a7, 93
    ecall
    .data
path: .asciz "/out"
"""

# cat argv[1]: open it, read it into a buffer, write it to stdout; exit 3 if open fails
CAT = """
_start:
    lw a1, 8(sp)          # argv[1]
    li a0, -100
    li a2, 0
    li a7, 56             # openat
    ecall
    bltz a0, 2f
    li a1, 0x80500000
    li a2, 4096
    li a7, 63             # read
    ecall
    mv a2, a0
    li a0, 1
    li a1, 0x80500000
    li a7, 64             # write
    ecall
    li a0, 0
    li a7, 93
    ecall
2:  li a0, 3
    li a7, 93
    ecall
"""

ECHO_ARG = """
_start:
    lw a1, 8(sp)          # argv[1], 4 bytes of it
    li a0, 1
    li a2, 4
    li a7, 64
    ecall
    li a0, 0
    li a7, 93
    ecall
"""


def run_cli(capfd, *argv):
    status = main(list(argv))
    out, err = capfd.readouterr()
    assert "Traceback" not in err
    return status, out, err


def test_write_quota_stops_a_disk_flood(tmp_path, capfd):
    (tmp_path / "flood.s").write_text(FLOOD)
    (tmp_path / "root").mkdir()
    status, _, _ = run_cli(capfd, "run", str(tmp_path / "flood.s"), "--root",
                           str(tmp_path / "root"), "--write-quota", "3000000")
    assert status == 122                                  # EDQUOT
    assert (tmp_path / "root" / "out").stat().st_size == 3_000_000


def test_help_documents_the_write_quota_default(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert "EDQUOT (default 64 MiB)" in " ".join(capsys.readouterr().out.split())


def test_cat_of_a_fifo_is_refused_at_once(tmp_path, capfd):
    (tmp_path / "cat.s").write_text(CAT)
    (tmp_path / "sb").mkdir()
    os.mkfifo(tmp_path / "sb" / "fifo")
    (tmp_path / "sb" / "in.txt").write_text("hello\n")
    options = ["--root", str(tmp_path / "sb"), "--max-instructions", "1000"]
    cat = ["run", str(tmp_path / "cat.s")]
    assert run_cli(capfd, *cat, "fifo", *options)[0] == 3
    assert run_cli(capfd, *cat, "in.txt/", *options)[0] == 3          # ENOTDIR
    status, out, _ = run_cli(capfd, *cat, "in.txt", *options)
    assert (status, out) == (0, "hello\n")


@pytest.mark.parametrize("command, status", [("run", 2), ("asm", 1), ("disasm", 1)])
def test_dev_zero_as_input_is_a_clear_error(capfd, command, status):
    got, _, err = run_cli(capfd, command, "/dev/zero")
    assert got == status and "larger than 64 MiB" in err and "/dev/zero" in err


def test_non_utf8_program_path_and_argument(tmp_path):
    name = os.path.join(os.fsencode(tmp_path), b"prog\xff.s")
    with open(name, "w") as file:
        file.write(ECHO_ARG)
    done = subprocess.run([sys.executable, "-m", "vlab", "run", name, b"\xe9t\xe9!"],
                          capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"\xe9t\xe9!" and b"Traceback" not in done.stderr


def test_argv_over_arg_max_is_refused(tmp_path, capfd):
    (tmp_path / "echo.s").write_text(ECHO_ARG)
    status, _, err = run_cli(capfd, "run", str(tmp_path / "echo.s"), "a" * (1 << 20))
    assert status == 2 and "ARG_MAX" in err
