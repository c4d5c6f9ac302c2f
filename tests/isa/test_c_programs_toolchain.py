"""compile_c without the cross-compiler: a clear error saying how to install it."""
from __future__ import annotations

import pytest

import vlab.isa.runtime as runtime


def test_missing_toolchain_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(runtime.shutil, "which", lambda name: None)
    with pytest.raises(runtime.ToolchainMissing,
                       match="sudo apt-get install gcc-riscv64-unknown-elf"):
        runtime.compile_c([tmp_path / "x.c"], tmp_path / "x.elf")


def test_command_line_uses_the_required_flags_and_runtime():
    command = runtime.gcc_command(["prog.c"], "prog.elf", mode="bare")
    for flag in ("-march=rv32ima", "-mabi=ilp32", "-nostdlib", "-static", "-O2"):
        assert flag in command
    assert any(part.endswith("bare.ld") for part in command)
    assert any(part.endswith("crt0_bare.S") for part in command)
    assert command.index("prog.c") > command.index(str(runtime.RUNTIME_DIR / "printf.c"))


def test_runtime_files_ship_with_the_package():
    for mode in runtime.MODES:
        for path in runtime.runtime_sources(mode):
            assert path.is_file(), path
    assert (runtime.RUNTIME_DIR / "vlab.h").is_file()
