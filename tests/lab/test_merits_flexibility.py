"""Flexibility is tried, not declared: each level runs its own kind of program and
refuses the others with a reason."""

import pytest

from vlab.lab.merits import flexibility
from vlab.lab.merits.flexibility import KINDS, Failed, Ran, score


@pytest.fixture(scope="module")
def matrix():
    return flexibility.matrix()


@pytest.mark.parametrize("level, kind", [
    ("isa", "same ISA+OS"), ("hardware", "own OS kernel"), ("os", "same ISA+OS"),
    ("hardware", "same ISA+OS"),
    ("library", "other OS ABI"), ("application", "bytecode")])
def test_each_level_runs_its_own_kind(matrix, level, kind):
    assert isinstance(matrix[level][kind], Ran)


@pytest.mark.parametrize("level, kind, why", [
    ("os", "other ISA", "64-bit"), ("hardware", "other library API", "not an ELF file"),
    ("application", "same ISA+OS", "not a source text")])
def test_refusals_carry_the_levels_reason(matrix, level, kind, why):
    cell = matrix[level][kind]
    assert isinstance(cell, Failed) and why in cell.reason
    assert "vlab-merits-flex" not in cell.reason        # no temporary path in the text


def test_score_rule():
    runs = {kind: Ran("") for kind in KINDS}
    assert score(runs) == 5
    assert score({**{k: Failed("") for k in KINDS}, KINDS[0]: Ran("")}) == 1
    assert score({k: Failed("") for k in KINDS}) == 1
