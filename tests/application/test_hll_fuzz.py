"""Fuzzing: mutated and truncated class files never crash the VM with a host exception.

Each mutant is either rejected by the loader/verifier (a RejectedClass) or runs to one
of the normal outcomes under a small instruction budget and heap.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from vlab.application.hll.classfile import write
from vlab.application.hll.compiler import compile_source
from vlab.application.hll.loader import MemoryEntry
from vlab.application.hll.vm import VM

SOURCE = (Path(__file__).parent / "hll_corpus" / "exceptions.py").read_text()
CLASSES = {cf.name: write(cf) for cf in compile_source(SOURCE, "exceptions.py")}
MAIN = "exceptions"
NAMES = sorted(CLASSES)
# Mutate the structure and code, not the source text stored at the end of each file.
BODY = {name: len(data) - len(SOURCE.encode()) for name, data in CLASSES.items()}


def run_with(name: str, data: bytes, threshold: int = 2):
    classes = dict(CLASSES, **{name: data})
    vm = VM(MemoryEntry(classes), heap_limit=200_000, max_instructions=20_000, jit=True,
            jit_threshold=threshold)
    return vm.run(MAIN)


mutation = st.tuples(st.sampled_from(NAMES), st.lists(
    st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=6))


@seed(20240605)
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutation)
def test_mutated_class_files_are_rejected_or_run_safely(case):
    name, edits = case
    data = bytearray(CLASSES[name])
    for position, value in edits:
        data[position % BODY[name]] = value
    result = run_with(name, bytes(data), threshold=1 + len(edits) % 2)
    assert result.status in ("ok", "exception", "rejected", "budget"), result.message


@seed(7)
@settings(max_examples=120, deadline=None)
@given(st.sampled_from(NAMES), st.floats(0, 1, exclude_max=True))
def test_truncated_class_files_are_rejected(name, fraction):
    data = CLASSES[name]
    result = run_with(name, data[:int(len(data) * fraction)])
    assert result.status == "rejected"
    assert "truncated" in result.message or "magic" in result.message


def test_unmodified_classes_run():
    assert run_with(MAIN, CLASSES[MAIN]).status == "ok"


def test_mutants_exercise_both_outcomes():
    """The fuzzer is not vacuous: some mutants are rejected, some still run."""
    import random

    rng = random.Random(5)
    statuses = set()
    for _ in range(60):
        data = bytearray(CLASSES[MAIN])
        data[rng.randrange(BODY[MAIN])] = rng.randrange(256)
        statuses.add(run_with(MAIN, bytes(data)).status)
    assert "rejected" in statuses and statuses & {"ok", "exception", "budget"}
