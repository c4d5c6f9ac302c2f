"""Chapter 10's exercises grade against the real suite: the reference answers pass and a
wrong prediction would not."""

import pytest

from vlab.lab.merits.exercises import container_attacks, measured_overhead, ranking_for


@pytest.mark.parametrize("variant, price", [("isa/interp", 45), ("isa/dbt", 4.4)])
def test_emulation_overhead_is_price_plus_tlb_hit_over_two(variant, price):
    assert measured_overhead(variant, "compute") == pytest.approx((price + 1) / 2)
    assert measured_overhead(variant, "compute") != pytest.approx(price)


def test_container_attack_answers():
    assert container_attacks() == {
        "read files": "contained", "exhaust memory": "contained", "fork bomb": "contained",
        "signal": "contained", "guest fault": "contained", "CPU hog": "escaped"}


def test_absent_cells_are_refused_with_their_reason():
    with pytest.raises(ValueError, match="accelerator calls only"):
        measured_overhead("lib/accel-vm", "compute")


def test_ranking_answers_have_every_level():
    weights = {"performance": 3, "application flexibility": 0,
               "implementation complexity": 0, "application isolation": 3}
    assert sorted(ranking_for(weights)) == ["application", "hardware", "isa", "library", "os"]


def test_the_stored_scores_are_those_of_a_fresh_run():
    """The graders rank from vlab/lab/merits/scores_snapshot.json: a model change that
    moves a score must come with a new snapshot (python -m vlab.lab.merits.scores_snapshot)."""
    from vlab.lab.merits.scores_snapshot import measured_scores, snapshot_scores

    assert snapshot_scores() == measured_scores()
