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
