"""The system call numbers (vlab/os/unistd.py) against musl's riscv32 table as the pinned
toolchain ships it: every number we use is the kernel's, none is from memory."""

import re
from pathlib import Path

import pytest

from vlab.os.unistd import NAMES, NUMBERS, RISCV_FLUSH_ICACHE


def _header() -> str:
    ziglang = pytest.importorskip("ziglang")
    path = (Path(ziglang.__file__).parent / "lib/libc/include/riscv32-linux-musl/bits"
            / "syscall.h")
    return path.read_text()


def test_every_number_matches_the_toolchain_header():
    found = {m[1]: int(m[2]) for m in
             re.finditer(r"#define __NR_(\w+)\s+(\d+)\s*$", _header(), re.M)}
    assert found == NUMBERS


def test_no_32_bit_time_calls_on_rv32():
    for legacy in ("clock_gettime", "gettimeofday", "fstat", "lseek", "mmap"):
        assert legacy not in NUMBERS
    assert NUMBERS["clock_gettime64"] == 403 and NUMBERS["statx"] == 291


def test_names_invert_numbers():
    assert all(NUMBERS[NAMES[n]] == n for n in NAMES)
    assert RISCV_FLUSH_ICACHE == 259
