"""CPython is the oracle: every corpus program prints exactly what CPython prints.

Each program in ``hll_corpus/`` is run by CPython (a subprocess, at test time) and by the
VM under both execution modes; stdout and the exit status must agree, and for an uncaught
exception the last stderr line (``Type: message``) too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from vlab.application.hll.vm import VM

CORPUS = sorted((Path(__file__).parent / "hll_corpus").glob("*.py"))


@pytest.fixture(scope="module")
def oracle():
    cache = {}

    def expected(path: Path):
        if path not in cache:
            cache[path] = subprocess.run([sys.executable, str(path)], capture_output=True,
                                         text=True, timeout=60)
        return cache[path]
    return expected


@pytest.mark.parametrize("mode", ["interpreter", "jit"])
@pytest.mark.parametrize("program", CORPUS, ids=lambda p: p.stem)
def test_program_prints_what_cpython_prints(program, mode, oracle):
    expected = oracle(program)
    vm = VM.from_source(program.read_text(), program.name, jit=(mode == "jit"), jit_threshold=1)
    result = vm.run()
    assert result.output == expected.stdout
    assert result.exit_code == expected.returncode
    if expected.returncode:
        assert result.traceback.splitlines()[-1] == expected.stderr.splitlines()[-1]


# Programs in which no exception unwinds through the middle of a compiled basic block.
BLOCK_EXACT = ["bank", "classes", "control", "fib", "gc_churn", "inventory", "lists_dicts",
               "sorting", "strings"]


@pytest.mark.parametrize("program", BLOCK_EXACT)
def test_both_modes_execute_the_same_guest_instructions(program):
    """The JIT charges whole basic blocks, so totals agree whenever every block runs to its
    end; an exception unwinding mid-block (documented in jit.py) would break the tie."""
    program = CORPUS[[p.stem for p in CORPUS].index(program)]
    counts = []
    for jit in (False, True):
        vm = VM.from_source(program.read_text(), program.name, jit=jit, jit_threshold=1)
        counts.append((vm.run().stats["instructions"], vm))
    assert counts[0][0] == counts[1][0] > 0
    assert counts[1][1].jit.compiled, "the JIT compiled nothing: the test proves nothing"


def test_corpus_is_not_trivial():
    assert len(CORPUS) >= 10
