"""Chapter 11's experiments: the growth chart's data and sources, the consolidation
comparison, the power-model slider and the exercise oracles."""

import numpy as np
import pytest

from vlab.datacenter import growth
from vlab.lab.datacenter import consolidation_view as cv
from vlab.lab.datacenter import exercises
from vlab.lab.datacenter.growth_chart import plot_growth


def test_growth_table_holds_scaramellas_numbers_and_every_row_has_a_source():
    pc = {f.year: f.value for f in growth.series("power and cooling")}
    assert pc == {1995: 10.3, 2005: 26.1, 2010: 44.5}
    assert growth.growth_factor("power and cooling", 1995, 2005) > 2     # "more than double"
    assert all(f.source and f.kind for f in growth.TABLE)
    # the forecast: power and cooling = 70 % of new server spending in 2010
    server = {f.year: f.value for f in growth.series("new server spending")}
    assert 44.5 / server[2010] == pytest.approx(0.70, abs=0.002)
    with pytest.raises(KeyError, match="known"):
        growth.series("management")


def test_growth_figure_names_its_sources():
    fig = plot_growth()
    text = fig.axes[0].get_xlabel()
    assert "Scaramella" in text and "Koomey" in text


def test_policy_comparison_follows_the_papers_order():
    data = cv.compare("lr")
    energy = {p: r.energy_kwh for p, r in data.results.items()}
    assert energy["npa"] > energy["dvfs"] > max(energy[p] for p in ("thr", "iqr", "mad", "lr"))
    assert "LR-MMT-1.2" in cv.describe_comparison(data)
    assert cv.plot_comparison(data).axes[0].get_title().startswith("LR-MMT-1.2")
    with pytest.raises(ValueError):
        cv.compare("nope")


def test_power_slider_saving_grows_with_idle_power():
    savings = [cv.power_model(f).saving for f in cv.IDLE_FRACTIONS]
    assert savings == sorted(savings) and savings[0] > 0


def test_consolidation_raises_vms_per_host_and_utilization():
    rows = {q: (a, b) for q, a, b in cv.consolidation_summary(cv.run("dvfs"), cv.run("thr"))}
    before, after = (float(x) for x in rows["VMs per active host"])
    assert after > 2 * before
    assert cv.run("thr").vms_not_created == 0          # same load in both runs


def test_exercise_oracles_tell_answers_apart():
    h, c = exercises.real_histories()
    verdicts = exercises.mad_verdicts(h, c, 2.5)
    assert any(verdicts) and not all(verdicts)
    wrong = [bool(x) for x in c > 1 - 2.5 * h.std(axis=1)]        # std instead of MAD
    assert wrong != verdicts
    assert exercises.best_threshold() in exercises.THRESHOLDS
    assert exercises.npa_energy_kwh(2) == pytest.approx((117 + 135) * 24 / 1000)
    assert exercises.specpower_watts("HP ML110 G5", 0.25) == pytest.approx(103)
    assert np.isfinite(h).all()
