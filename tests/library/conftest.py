"""Shared fixtures: the interposition demo program, built once with the pinned zig."""

from pathlib import Path

import pytest

from vlab.isa.runtime.driver import ToolchainMissing, compile_c

PROGRAMS = Path(__file__).resolve().parents[2] / "vlab" / "library" / "programs"


@pytest.fixture(scope="session")
def config_root(tmp_path_factory):
    """A root directory holding config.txt, other.txt and the program ``prog``."""
    root = tmp_path_factory.mktemp("root")
    (root / "config.txt").write_text("colour=blue\n")
    (root / "other.txt").write_text("colour=red\n")
    try:
        compile_c([PROGRAMS / "config_clock.c"], root / "prog", libc="musl")
        compile_c([PROGRAMS / "config_clock.c"], root / "stripped", libc="musl",
                  extra_flags=["-s"])
    except ToolchainMissing as exc:
        pytest.skip(str(exc))
    return root


FOREIGN = Path(__file__).resolve().parents[2] / "vlab" / "library" / "foreign" / "programs"


@pytest.fixture(scope="session")
def hello_exe(tmp_path_factory):
    """hello_win.c built into a PE32 RISC-V program."""
    from vlab.library.foreign.pe_build import build_pe

    out = tmp_path_factory.mktemp("pe") / "hello.exe"
    try:
        return build_pe([FOREIGN / "hello_win.c"], out)
    except ToolchainMissing as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def saxpy_elf(tmp_path_factory):
    """The guest saxpy program linked with the CUDA front end."""
    from vlab.library.accel.guest import build_accel_program

    out = tmp_path_factory.mktemp("accel") / "saxpy"
    try:
        return build_accel_program(PROGRAMS.parent / "accel" / "programs" / "saxpy.c", out)
    except ToolchainMissing as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def dyn_examples(tmp_path_factory):
    """libvc.so, libfakeclock.so and hello_dyn, and the lib directory."""
    from vlab.library.dynload.build import build_examples

    out = tmp_path_factory.mktemp("dyn")
    try:
        built = build_examples(out)
    except ToolchainMissing as exc:
        pytest.skip(str(exc))
    return {**built, "lib": out / "lib"}


@pytest.fixture(scope="session")
def bsd_hello(tmp_path_factory):
    """bsd_hello.c, a program for the vlab-BSD system-call ABI."""
    from vlab.library.lxrun.build import PROGRAMS as BSD
    from vlab.library.lxrun.build import build_bsd

    try:
        return build_bsd(BSD / "bsd_hello.c", tmp_path_factory.mktemp("bsd") / "bsd_hello")
    except ToolchainMissing as exc:
        pytest.skip(str(exc))
