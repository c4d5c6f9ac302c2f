"""C programs compiled with the vlab runtime and run on the machine: each prints exactly its
``.out`` file and exits with its ``.exit`` status.

Every program is built twice, by zig (the pinned default compiler, a dependency: never
skipped) and by GCC (the cross-check, skipped where riscv64-unknown-elf-gcc is missing):
the same expected output for both.  User programs run with paging off and with Sv32 on
(same output: the page table must be invisible to the program).
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from vlab.isa.engines import ENGINES
from vlab.isa.runtime import CompileError, compile_c, find_gcc
from vlab.os.boot import boot

PROGRAMS = Path(__file__).parent / "c_programs"
NAMES = sorted(p.stem for p in PROGRAMS.glob("*.c"))
USER_NAMES = [n for n in NAMES if not n.startswith("bare_")]
BUDGET = 20_000_000
# every engine for running programs (the chapter-2 decode-and-dispatch model is too slow)
ENGINES_COMPARED = sorted(set(ENGINES) - {"interp", "decode-dispatch"})

NEEDS_GCC = [pytest.mark.toolchain,
             pytest.mark.skipif(find_gcc() is None,
                                reason="needs riscv64-unknown-elf-gcc "
                                       "(sudo apt-get install gcc-riscv64-unknown-elf)")]
COMPILERS = ["zig", pytest.param("gcc", marks=NEEDS_GCC)]


def side_file(name: str, suffix: str, default: str = "") -> str:
    path = PROGRAMS / f"{name}{suffix}"
    return path.read_text() if path.exists() else default


@pytest.fixture(scope="module", params=COMPILERS)
def elves(request, tmp_path_factory) -> dict[str, Path]:
    """Every program, built by one compiler (each test using this runs once per compiler)."""
    out = tmp_path_factory.mktemp(f"elves-{request.param}")
    built = {}
    for name in NAMES:
        mode = "bare" if name.startswith("bare_") else "user"
        built[name] = compile_c([PROGRAMS / f"{name}.c"], out / f"{name}.elf", mode=mode,
                                compiler=request.param)
    return built


def run_program(name: str, elf: Path, root: Path, paging=None, engine="interp"):
    stdout, stderr = io.BytesIO(), io.BytesIO()
    args = side_file(name, ".args").splitlines()
    env = side_file(name, ".env").splitlines()
    stdin = io.BytesIO(side_file(name, ".in").encode())
    booted = boot(elf, argv=[name, *args], envp=env, stdin=stdin, stdout=stdout,
                  stderr=stderr, root=root, paging=paging, engine=engine)
    result = booted.machine.run(max_instructions=BUDGET)
    return booted, result, stdout.getvalue()


def status_of(booted, result) -> int:
    if result.status == "exit":
        return result.exit_code
    assert booted.process is not None and booted.process.fault is not None, str(result)
    return 128 + booted.process.fault.signal


@pytest.mark.parametrize("paging", [False, True], ids=["bare-addressing", "sv32"])
@pytest.mark.parametrize("name", USER_NAMES)
def test_user_program(name, paging, elves, tmp_path):
    booted, result, out = run_program(name, elves[name], tmp_path, paging=paging)
    assert booted.mode == "user" and booted.paging is paging
    assert out.decode() == side_file(name, ".out")
    assert status_of(booted, result) == int(side_file(name, ".exit", "0"))


@pytest.mark.parametrize("engine", ENGINES_COMPARED)
@pytest.mark.parametrize("name", USER_NAMES)
def test_engines_agree_with_the_interpreter(name, engine, elves, tmp_path):
    """ARCHITECTURE.md invariant 1 on real programs: same output, registers and instret."""
    runs = []
    for which in ("interp", engine):
        (tmp_path / which).mkdir()
        booted, result, out = run_program(name, elves[name], tmp_path / which, engine=which)
        m = booted.machine
        runs.append((out, result.status, result.exit_code, m.hart.instret, list(m.regs), m.pc))
    assert runs[0] == runs[1]


def test_bare_metal_program(elves):
    booted, result, _ = run_program("bare_htif", elves["bare_htif"], None)
    assert booted.mode == "bare" and booted.kernel is None
    assert result.status == "exit" and result.exit_code == int(side_file("bare_htif", ".exit"))
    assert booted.machine.htif.console.decode() == side_file("bare_htif", ".out")


def test_file_io_leaves_the_file_in_the_sandbox(elves, tmp_path):
    run_program("fileio", elves["fileio"], tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "level 1: ISA\nlevel 2: hardware\n"


def test_syscalls_are_charged_to_the_ledger(elves, tmp_path):
    booted, result, _ = run_program("fileio", elves["fileio"], tmp_path)
    calls = sum(booted.kernel.calls.values())
    assert calls > 10
    assert booted.machine.ledger.counts["syscall"] == calls
    assert booted.machine.ledger.counts["instruction"] == result.instructions


def test_sv32_counts_tlb_traffic_but_same_instructions(elves, tmp_path):
    flat, r_flat, _ = run_program("sort", elves["sort"], tmp_path, paging=False)
    paged, r_paged, _ = run_program("sort", elves["sort"], tmp_path, paging=True)
    assert flat.machine.ledger.counts.get("tlb_miss", 0) == 0
    assert paged.machine.ledger.counts.get("tlb_miss", 0) > 0
    assert r_flat.instructions == r_paged.instructions


def test_bare_metal_uart_console_variant(tmp_path):
    elf = compile_c([PROGRAMS / "bare_htif.c"], tmp_path / "uart.elf", mode="bare",
                    extra_flags=["-DVLAB_UART_CONSOLE"])
    booted = boot(elf)
    result = booted.machine.run(max_instructions=BUDGET)
    assert result.exit_code == 7
    assert booted.machine.platform.uart.output.decode() == side_file("bare_htif", ".out")
    assert booted.machine.htif.console == b""


@pytest.mark.parametrize("compiler", COMPILERS)
def test_compile_error_carries_the_compiler_diagnostics(compiler, tmp_path):
    bad = tmp_path / "bad.c"
    bad.write_text("int main(void) { return undefined_name; }\n")
    with pytest.raises(CompileError) as caught:
        compile_c([bad], tmp_path / "bad.elf", compiler=compiler)
    printed = caught.value.diagnostics
    assert str(caught.value) == printed                  # the text as the compiler printed it
    assert f"{bad}:1:" in printed and "error" in printed and "undefined_name" in printed
    assert caught.value.returncode != 0 and not (tmp_path / "bad.elf").exists()
    with pytest.raises(CompileError, match="not found"):
        compile_c([tmp_path / "missing.c"], tmp_path / "m.elf", compiler=compiler)
    with pytest.raises(ValueError, match="unknown mode"):
        compile_c([bad], tmp_path / "bad.elf", mode="kernel", compiler=compiler)


@pytest.mark.parametrize("compiler", COMPILERS)
def test_default_link_address_runs_with_sv32(compiler, tmp_path):
    """Linked by the linker's own default layout (GNU ld and lld both put text near 0x10000,
    outside RAM): the proxy kernel maps it with an Sv32 page table, unasked."""
    import subprocess

    from vlab.isa.runtime import compile_command
    command = [part for part in compile_command([PROGRAMS / "hello.c"], tmp_path / "h.elf",
                                                compiler=compiler)
               if not part.startswith("-T")]
    subprocess.run(command, check=True)
    booted, result, out = run_program("hello", tmp_path / "h.elf", tmp_path)
    assert booted.paging is True and booted.image.entry < 0x8000_0000
    assert (out.decode(), result.exit_code) == (side_file("hello", ".out"), 0)
