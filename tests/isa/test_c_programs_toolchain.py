"""compile_c's command lines, and its clear error when a compiler is not installed."""
from __future__ import annotations

import sys

import pytest

import vlab.isa.runtime as runtime
from vlab.isa.runtime import toolchains


def test_missing_gcc_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(toolchains.shutil, "which", lambda name: None)
    assert runtime.find_gcc() is None
    with pytest.raises(runtime.ToolchainMissing,
                       match="sudo apt-get install gcc-riscv64-unknown-elf"):
        runtime.compile_c([tmp_path / "x.c"], tmp_path / "x.elf", compiler="gcc")


def test_missing_zig_says_how_to_install(monkeypatch, tmp_path):
    real_find_spec = toolchains.importlib.util.find_spec
    monkeypatch.setattr(toolchains.importlib.util, "find_spec",
                        lambda name: None if name == "ziglang" else real_find_spec(name))
    with pytest.raises(runtime.ToolchainMissing, match="make test"):
        runtime.compile_c([tmp_path / "x.c"], tmp_path / "x.elf")


def test_unknown_compiler_or_libc_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown compiler 'clang'"):
        runtime.compile_c([tmp_path / "x.c"], tmp_path / "x.elf", compiler="clang")
    with pytest.raises(ValueError, match="unknown libc 'glibc'"):
        runtime.compile_c([tmp_path / "x.c"], tmp_path / "x.elf", libc="glibc")
    with pytest.raises(ValueError, match="mode='user', compiler='zig'"):
        runtime.compile_c([tmp_path / "x.c"], tmp_path / "x.elf", mode="bare", libc="musl")


def test_gcc_command_line_uses_the_required_flags_and_runtime():
    command = runtime.gcc_command(["prog.c"], "prog.elf", mode="bare")
    for flag in ("-march=rv32ima", "-mabi=ilp32", "-nostdlib", "-static", "-O2",
                 "-Wl,--no-warn-rwx-segments"):
        assert flag in command
    assert command[-1] == "-lgcc"
    assert any(part.endswith("bare.ld") for part in command)
    assert any(part.endswith("crt0_bare.S") for part in command)
    assert command.index("prog.c") > command.index(str(runtime.RUNTIME_DIR / "printf.c"))


def test_zig_is_the_default_and_runs_from_this_python():
    command = runtime.compile_command(["prog.c"], "prog.elf")
    assert command[:4] == [sys.executable, "-m", "ziglang", "cc"]
    target = command.index("-target")
    assert command[target + 1] == "riscv32-freestanding-none"
    for flag in ("-mcpu=generic_rv32+m+a", "-mabi=ilp32", "-nostdlib", "-static", "-O2"):
        assert flag in command
    assert "-lgcc" not in command and "-Wl,--no-warn-rwx-segments" not in command
    assert any(part.endswith("user.ld") for part in command)
    assert command[-1] == "prog.c"


def test_musl_command_links_no_vlab_runtime():
    command = runtime.compile_command(["prog.c"], "prog.elf", libc="musl")
    assert command[command.index("-target") + 1] == "riscv32-linux-musl"
    assert "-nostdlib" not in command
    assert not any(str(runtime.RUNTIME_DIR) in part for part in command)


def test_runtime_files_ship_with_the_package():
    for mode in runtime.MODES:
        for path in runtime.runtime_sources(mode):
            assert path.is_file(), path
    assert (runtime.RUNTIME_DIR / "vlab.h").is_file()
