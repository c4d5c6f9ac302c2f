"""The C programs of tests/isa/c_programs (the hand-written runtime) run unchanged as a
*child* of the multi-process kernel -- forked by an init into a new PID namespace,
started by execve from the file system, reaped by waitid -- with the output and exit
status ``vlab run`` gives."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.os.guest_asm import call, image
from vlab.isa.runtime import compile_c
from vlab.os.boot import boot

PROGRAMS = Path(__file__).parents[1] / "isa" / "c_programs"
CLONE_NEWPID = 0x2000_0000
NAMES = sorted(p.stem for p in PROGRAMS.glob("*.c") if not p.stem.startswith("bare_"))


def side_file(name: str, suffix: str, default: str = "") -> str:
    path = PROGRAMS / f"{name}{suffix}"
    return path.read_text() if path.exists() else default


def init_source(argv: list[str], envp: list[str]) -> str:
    """fork into a new PID namespace (the child is pid 1 there, as the program sees
    itself under ``vlab run``); the child execs /prog with argv/envp; the parent
    reports like a shell: the exit status, or 128 + the signal."""
    strings = "".join(f's{i}: .asciz "{text}"\n' for i, text in enumerate(argv + envp))
    argv_words = ", ".join(f"s{i}" for i in range(len(argv)))
    envp_words = ", ".join(f"s{len(argv) + i}" for i in range(len(envp)))
    return f"""
_start:
{call("clone", CLONE_NEWPID | 17, 0, 0, 0, 0)}
    bnez a0, parent
{call("execve", "path", "argv", "envp")}
{call("exit", 127)}
parent:
{call("waitid", 0, 0, "info", 4, 0)}
    la t0, info
    lw t1, 8(t0)                    # si_code: 1 exited, 2 killed, 3 dumped
    lw a0, 20(t0)
    li t2, 1
    beq t1, t2, done
    addi a0, a0, 128
done:
{call("exit", "reg:a0")}
    .data
path: .asciz "/prog"
{strings}
    .align 2
argv: .word {argv_words + ", " if argv_words else ""}0
envp: .word {envp_words + ", " if envp_words else ""}0
info: .space 128
"""


@pytest.mark.parametrize("name", NAMES)
def test_a_runtime_program_runs_as_a_child_process(name, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    elf = compile_c([PROGRAMS / f"{name}.c"], root / "prog")
    elf.chmod(0o755)
    argv = [name, *side_file(name, ".args").splitlines()]
    envp = side_file(name, ".env").splitlines()
    out = io.BytesIO()
    booted = boot(image(init_source(argv, envp)), mode="user", paging=True, root=root,
                  stdin=io.BytesIO(side_file(name, ".in").encode()), stdout=out,
                  stderr=io.BytesIO())
    result = booted.machine.run(max_instructions=20_000_000)
    assert result.status == "exit", result
    assert out.getvalue().decode() == side_file(name, ".out")
    assert result.exit_code == int(side_file(name, ".exit", "0"))
    assert booted.kernel.calls["execve"] == 1 and list(booted.kernel.processes) == [1]
