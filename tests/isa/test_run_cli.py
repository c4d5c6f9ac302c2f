"""``vlab run``: modes, exit statuses, stats, trace, budget and clear errors (no traceback)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from vlab.cli import main
from vlab.isa.asm import assemble
from vlab.isa.runtime import compile_c, find_compiler

BARE_EXIT = """
    .text
_start:
    li t0, 0x2b          # (21 << 1) | 1: exit status 21
    la t1, tohost
    sw t0, 0(t1)
    sw zero, 4(t1)
1:  j 1b
    .data
    .align 3
tohost: .word 0, 0
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def run_cli(capfd, *argv):
    status = main(["run", *argv])
    out, err = capfd.readouterr()
    return status, out, err


def test_assembly_bare_metal_exit_code(tmp_path, capfd):
    status, out, err = run_cli(capfd, write(tmp_path, "exit.s", BARE_EXIT))
    assert status == 21 and err == ""


def test_stats_go_to_stderr(tmp_path, capfd):
    status, out, err = run_cli(capfd, write(tmp_path, "exit.s", BARE_EXIT), "--stats")
    assert status == 21
    # li, la (auipc+addi), sw, sw, and the first j: HTIF is polled at the block end
    assert "instructions retired: 6" in err and "speed: " in err and "wall time" in err


def test_trace_lists_each_instruction(tmp_path, capfd):
    status, out, err = run_cli(capfd, write(tmp_path, "exit.s", BARE_EXIT), "--trace")
    lines = [line for line in err.splitlines() if line.startswith("M 8000")]
    assert len(lines) == 6
    assert "li" in lines[0] and "sw" in lines[3] and "j" in lines[5]
    assert "t0=0x2b" in lines[0]


HTIF_PUTCHAR = """
    .text
_start:
    la t1, tohost
    li t0, 0x41          # 'A'
    li t2, 0x01010000    # device 1, command 1 (putchar) in the high word
    sw t0, 0(t1)
    sw t2, 4(t1)
1:  lw t3, 0(t1)         # wait until the host has taken the command (tohost == 0)
    lw t4, 4(t1)
    or t3, t3, t4
    bnez t3, 1b
    li t0, 0x5           # exit status 2
    sw t0, 0(t1)
    sw zero, 4(t1)
2:  j 2b
    .data
    .align 3
tohost: .word 0, 0
"""


@pytest.mark.parametrize("extra", [[], ["--trace"]])
def test_htif_console_output_with_and_without_trace(tmp_path, capfd, extra):
    status, out, err = run_cli(capfd, write(tmp_path, "putc.s", HTIF_PUTCHAR), *extra)
    assert (status, out) == (2, "A")


def test_budget_exhaustion_says_so(tmp_path, capfd):
    path = write(tmp_path, "loop.s", "_start: j _start\n")
    status, out, err = run_cli(capfd, path, "--max-instructions", "500")
    assert status == 124 and "budget of 500" in err


def test_illegal_instruction_names_pc_symbol_and_cause(tmp_path, capfd):
    path = write(tmp_path, "bad.s", "_start: nop\nbroken: .word 0\n")
    status, out, err = run_cli(capfd, path, "--mode", "bare")
    assert status == 132
    assert "illegal instruction" in err and "0x80000004 <broken>" in err
    assert err.count("illegal instruction") == 1          # the cause is printed once


HELLO = """
    .section .rodata
msg: .ascii "Hello, world!\\n"
    .text
    .globl _start
_start:
    li a0, 1             # write(1, msg, 14)
    la a1, msg
    li a2, 14
    li a7, 64
    ecall
    li a0, 0             # exit(0)
    li a7, 93
    ecall
"""


def test_linux_style_hello_world_runs_as_a_user_program(tmp_path, capfd):
    status, out, err = run_cli(capfd, write(tmp_path, "hello.s", HELLO))
    assert (status, out, err) == (0, "Hello, world!\n", "")


def test_forcing_bare_metal_explains_the_rule_and_the_flag(tmp_path, capfd):
    status, out, err = run_cli(capfd, write(tmp_path, "hello.s", HELLO), "--mode", "bare")
    assert status == 134
    assert err.count("environment call from M-mode") == 1   # once, not repeated
    assert "ran bare-metal" in err and "--mode bare was given" in err
    assert "--mode user" in err and "no kernel to serve it" in err


def test_bare_metal_by_tohost_names_the_rule(tmp_path, capfd):
    source = BARE_EXIT.replace("    li t0, 0x2b", "    li a7, 93\n    ecall\n    li t0, 0x2b")
    status, out, err = run_cli(capfd, write(tmp_path, "ecall.s", source))
    assert status == 134
    assert "because it defines 'tohost'" in err and "--mode user" in err


def test_user_program_fault_names_the_rule_and_the_flag(tmp_path, capfd):
    path = write(tmp_path, "csr.s", "_start: csrr a0, mstatus\n li a7, 93\n ecall\n")
    status, out, err = run_cli(capfd, path)
    assert status == 132 and "0x80400000 <_start>" in err
    assert "as a user program" in err and "defines no 'tohost'" in err and "--mode bare" in err


def test_main_ending_in_ret_without_start_gets_a_hint(tmp_path, capfd):
    path = write(tmp_path, "main.s", "    .globl main\nmain:\n    li a0, 0\n    ret\n")
    status, out, err = run_cli(capfd, path)
    assert status == 139
    assert "hint:" in err and "'ret' jumped to address 0" in err and "li a7, 93" in err


def test_help_explains_the_mode_rule_and_every_engine(capsys):
    from vlab.isa.engines import ENGINES

    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = capsys.readouterr().out
    assert "How the mode is chosen" in text and "tohost" in text
    for name in ENGINES:
        assert f"  {name} " in text


def test_stats_on_a_tiny_program_give_a_meaningful_speed(tmp_path, capfd):
    status, out, err = run_cli(capfd, write(tmp_path, "exit.s", BARE_EXIT), "--stats")
    speed = next(line for line in err.splitlines() if line.startswith("speed: "))
    number = float(speed.split()[1])
    assert number > 0 and " 0.00 " not in speed
    assert speed.endswith(("MIPS", "instructions/s"))


def test_budget_of_one_instruction_is_singular(tmp_path, capfd):
    status, out, err = run_cli(capfd, write(tmp_path, "hello.s", HELLO),
                               "--max-instructions", "1")
    assert status == 124 and "budget of 1 instruction ran out" in err


def test_forced_user_mode_kills_on_fault(tmp_path, capfd):
    path = write(tmp_path, "bad.s", "_start: nop\nbroken: .word 0\n")
    status, out, err = run_cli(capfd, path, "--mode", "user")
    assert status == 132 and "killed" in err and "<broken>" in err


@pytest.mark.parametrize("content,needle", [
    (None, "cannot read"),
    (b"\x7fELF\x02\x01\x01" + bytes(60), "64-bit"),
    (b"\x00\x01\x02\xff\xfe" * 20, "neither an ELF file nor an assembly source"),
    (b"_start: addi a0, a0\n", "exit.s:1"),
])
def test_bad_input_gets_a_clear_error(tmp_path, capfd, content, needle):
    path = tmp_path / "exit.s"
    if content is not None:
        path.write_bytes(content)
    status, out, err = run_cli(capfd, str(path))
    assert status == 2 and needle in err and "Traceback" not in err


@pytest.mark.parametrize("mode,needle", [("user", "page frames are in use"),
                                         ("bare", "outside RAM")])
def test_program_too_big_for_ram(tmp_path, capfd, mode, needle):
    path = write(tmp_path, "huge.s", "_start: nop\n .space 0x4000000\n")
    status, out, err = run_cli(capfd, path, "--mode", mode)
    assert status == 2 and needle in err and "Traceback" not in err


def test_c_source_gets_a_hint(tmp_path, capfd):
    status, out, err = run_cli(capfd, write(tmp_path, "p.c", "int main(){}"))
    assert status == 2 and "compile_c" in err


def test_unknown_engine(tmp_path, capfd):
    status, out, err = run_cli(capfd, write(tmp_path, "exit.s", BARE_EXIT), "--engine", "jit")
    assert status == 2 and "unknown engine 'jit'" in err and "interp" in err


def test_elf_from_the_assembler_runs_the_same(tmp_path, capfd):
    elf = tmp_path / "exit.elf"
    elf.write_bytes(assemble(BARE_EXIT).to_elf())
    status, out, err = run_cli(capfd, str(elf))
    assert status == 21


@pytest.mark.skipif(find_compiler() is None, reason="needs the pinned ziglang (pip install -e .)")
def test_user_program_in_a_real_process(tmp_path):
    """End to end through the installed entry point: stdout, argv and the exit status."""
    source = tmp_path / "echo.c"
    source.write_text('#include "vlab.h"\nint main(int argc, char **argv)\n'
                      '{ for (int i = 1; i < argc; i++) printf("%s\\n", argv[i]);'
                      ' return argc; }\n')
    elf = compile_c([source], tmp_path / "echo.elf")
    done = subprocess.run([sys.executable, "-m", "vlab", "run", str(elf), "one", "two",
                           "--stats"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 3
    assert done.stdout == "one\ntwo\n"
    assert "instructions retired" in done.stderr


def test_a_file_named_elf_that_is_not_elf_says_so(tmp_path, capfd):
    path = tmp_path / "prog.elf"
    path.write_text("garbage\n")              # not parsed as assembly: the name says ELF
    status, out, err = run_cli(capfd, str(path))
    assert status == 2 and "not an ELF file" in err and "Traceback" not in err
