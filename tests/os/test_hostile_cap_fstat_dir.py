"""``fstat`` of a directory under ``vlab run --mode user --root DIR`` says directory
(issue 16 follow-up: the proxy kernel used to report every descriptor opened under the root
as a regular file).  Through the CLI, with both stat calls a program can make: the proxy
kernel's ``fstat`` (80, ``struct stat64``: ``st_mode`` at offset 16) and ``statx`` (291
with ``AT_EMPTY_PATH``, musl's ``fstat``: ``stx_mode`` at offset 28).  The program exits
with the file type, ``(mode >> 12) & 0xF``: 4 directory, 8 regular file, 2 character
device."""
from __future__ import annotations

import pytest

from vlab.cli import main

# open argv[1] (or use fd 1 when there is none), stat it, exit with the file type
PROGRAM = """
_start:
    lw t0, 0(sp)          # argc
    li s0, 1              # fd 1 (the console) unless a path is given
    li t1, 2
    blt t0, t1, 1f
    lw a1, 8(sp)          # argv[1]
    li a0, -100           # AT_FDCWD
    li a2, 0              # O_RDONLY
    li a7, 56             # openat
    ecall
    bltz a0, 9f
    mv s0, a0
1:  mv a0, s0
    {call}
    bltz a0, 9f
    li a1, 0x80500000
    {load}
    srli a0, a0, 12
    andi a0, a0, 0xF
    li a7, 93
    ecall
9:  li a0, 99
    li a7, 93
    ecall
    .data
empty: .asciz ""
"""
FSTAT = ("li a1, 0x80500000\n    li a7, 80\n    ecall", "lw a0, 16(a1)")
STATX = ("la a1, empty\n    li a2, 0x1000\n    li a3, 0x7ff\n    li a4, 0x80500000\n"
         "    li a7, 291\n    ecall", "lhu a0, 28(a1)")


@pytest.fixture
def root(tmp_path):
    sandbox = tmp_path / "root"
    (sandbox / "sub").mkdir(parents=True)
    (sandbox / "file.txt").write_text("hello\n")
    return sandbox


@pytest.mark.parametrize("call", [FSTAT, STATX], ids=["fstat", "statx"])
@pytest.mark.parametrize("target, kind", [("sub", 4), (".", 4), ("/", 4),
                                          ("file.txt", 8), (None, 2)])
def test_fstat_reports_the_real_file_type(tmp_path, root, capfd, call, target, kind):
    source = tmp_path / "stat.s"
    source.write_text(PROGRAM.format(call=call[0], load=call[1]))
    argv = [target] if target is not None else []
    status = main(["run", str(source), *argv, "--mode", "user", "--root", str(root)])
    _, err = capfd.readouterr()
    assert status == kind, err
