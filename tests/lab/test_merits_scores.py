"""Scores follow their stated rules; the lecture's table is chapter 1's."""

import pytest

from vlab.lab.concepts.levels import RELATIVE_MERITS
from vlab.lab.merits import complexity
from vlab.lab.merits.scores import LEVELS, differences, lecture, performance_score, rank


@pytest.mark.parametrize("overhead, expected", [(1.0, 5), (1.1, 5), (1.5, 4), (4.9, 3),
                                                (19, 2), (80, 1), (None, None)])
def test_performance_thresholds(overhead, expected):
    assert performance_score(overhead) == expected


def test_thresholds_are_adjustable():
    assert performance_score(3.0, thresholds=((10.0, 5),)) == 5


def test_lecture_is_table_3_1():
    assert lecture()["isa"] == RELATIVE_MERITS["isa"]
    assert differences(lecture()) == []


def test_rank_counts_complexity_against_a_level():
    table = {level: {"performance": 3, "implementation complexity": 3} for level in LEVELS}
    table["os"]["implementation complexity"] = 1
    table["hardware"]["implementation complexity"] = None
    ranked = rank(table, {"performance": 1.0, "implementation complexity": 1.0})
    assert ranked[0][0] == "os" and ranked[-1][0] == "hardware"


def test_complexity_is_measured_on_each_level_and_scored_on_a_log_scale():
    measured = complexity.table()
    assert all(c.nloc > 100 and c.cyclomatic > 50 and c.mechanism_count > 0
               for c in measured.values())
    scores = complexity.scores(measured)
    most = max(measured, key=lambda level: measured[level].cyclomatic)
    least = min(measured, key=lambda level: measured[level].cyclomatic)
    assert scores[most] == 5 and scores[least] == 1
