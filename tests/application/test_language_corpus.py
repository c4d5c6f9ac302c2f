"""The language students write (issue 14): CPython is the oracle.

Each program of ``language_corpus/`` uses the constructs an introductory Python course
uses (tuples, ``**``, comprehensions, lambdas, ``sorted(key=...)``, f-string format specs,
``assert``, the exceptions a student meets...).  CPython runs it (a subprocess, at test
time) and the VM runs it under the interpreter and under the JIT (every function compiled
from its first call): stdout, the exit status and, for an uncaught exception, the last
line of the stack trace must be the same.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from vlab.application.hll.vm import VM

CORPUS = sorted((Path(__file__).parent / "language_corpus").glob("*.py"))


@pytest.fixture(scope="module")
def oracle():
    cache = {}

    def expected(path: Path):
        if path not in cache:
            cache[path] = subprocess.run([sys.executable, str(path)], capture_output=True,
                                         text=True, timeout=60)
        return cache[path]
    return expected


def test_the_corpus_is_there():
    assert len(CORPUS) >= 7


@pytest.mark.parametrize("mode", ["interpreter", "jit"])
@pytest.mark.parametrize("program", CORPUS, ids=lambda p: p.stem)
def test_program_prints_what_cpython_prints(program, mode, oracle):
    expected = oracle(program)
    vm = VM.from_source(program.read_text(), program.name, jit=(mode == "jit"),
                        jit_threshold=1)
    result = vm.run()
    assert result.output == expected.stdout
    assert result.exit_code == expected.returncode
    if expected.returncode:
        assert result.traceback.splitlines()[-1] == expected.stderr.splitlines()[-1]
    if mode == "jit":
        assert vm.jit.compiled, "the JIT compiled nothing: the test proves nothing"


# Programs in which no exception unwinds through the middle of a compiled basic block.
BLOCK_EXACT = ["grades", "kinds", "mapfilter", "numbers", "shapes", "textstats"]


@pytest.mark.parametrize("program", BLOCK_EXACT)
def test_both_modes_execute_the_same_guest_instructions(program):
    """Natives charge the same work under both engines, and the JIT charges whole basic
    blocks: totals agree when every block runs to its end (jit.py)."""
    path = CORPUS[[p.stem for p in CORPUS].index(program)]
    counts = [VM.from_source(path.read_text(), path.name, jit=jit, jit_threshold=1).run()
              .stats["instructions"] for jit in (False, True)]
    assert counts[0] == counts[1] > 0
