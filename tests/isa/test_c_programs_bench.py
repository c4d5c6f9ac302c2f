"""The benchmark's program computes the same checksum on every engine it compares (a
smoke test of benchmarks/bench_isa.py: no timing is asserted), checked against Python."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from vlab.isa.runtime import find_gcc

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_isa.py"
pytestmark = pytest.mark.skipif(find_gcc() is None, reason="needs riscv64-unknown-elf-gcc")


def python_checksum(rounds: int) -> int:
    """bench_isa_kernel.c in Python: xorshift fill, sort, fold every 16th element."""
    seed, total = 2463534242, 0
    for _ in range(rounds):
        data = []
        for _ in range(256):
            seed ^= (seed << 13) & 0xFFFF_FFFF
            seed ^= seed >> 17
            seed ^= (seed << 5) & 0xFFFF_FFFF
            data.append(seed >> 8)
        data.sort()
        total = (total + sum(data[i] ^ i for i in range(0, 256, 16))) & 0xFFFF_FFFF
    return total


def test_every_column_computes_the_python_checksum(tmp_path):
    spec = importlib.util.spec_from_file_location("bench_isa", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    elf = bench.build(1, tmp_path / "bench.elf")
    expected = python_checksum(1)
    results = {name: run() for name, run in bench.columns(elf)}
    assert len(results) >= 2
    counts = {count for _, count, _ in results.values()}
    assert counts == {results["vlab interp, paging off"][1]} and counts.pop() > 50_000
    assert {name: a0 for name, (_, _, a0) in results.items()} == {
        name: expected for name in results}
