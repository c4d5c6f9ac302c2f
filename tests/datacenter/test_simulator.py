"""The consolidation simulator on a small data center (40 hosts, 53 VMs of 20110303)."""

import numpy as np
import pytest

from vlab.datacenter.detection import Detector
from vlab.datacenter.fleet import make_fleet
from vlab.datacenter.simulator import POLICIES, PolicyError, simulate, vms_for_hosts
from vlab.datacenter.traces import load_day

HOSTS = 40


@pytest.fixture(scope="module")
def results():
    day = load_day("20110303")
    return {p: simulate(day, p, n_hosts=HOSTS) for p in POLICIES}


def test_vms_in_the_papers_ratio():
    assert vms_for_hosts(1052, 800) == 1052
    assert vms_for_hosts(1052, HOSTS) == 53


def test_npa_runs_every_host_at_peak_all_day(results):
    fleet = make_fleet(HOSTS, 53)
    assert results["npa"].energy_kwh == pytest.approx(fleet.peak_power().sum() * 24 / 1000)


def test_the_papers_ordering_npa_dvfs_then_dynamic_consolidation(results):
    npa, dvfs = results["npa"].energy_kwh, results["dvfs"].energy_kwh
    assert npa > 2 * dvfs
    for policy in ("thr", "iqr", "mad", "lr", "lrr"):
        assert dvfs > 1.5 * results[policy].energy_kwh, policy
        assert results[policy].migrations > 0
    assert results["dvfs"].migrations == results["npa"].migrations == 0


def test_metrics_are_shares_and_slav_is_their_product(results):
    for r in results.values():
        assert 0 <= r.slatah <= 1 and 0 <= r.pdm <= 1
        assert r.slav == pytest.approx(r.slatah * r.pdm)
    assert results["dvfs"].pdm == 0                        # no migration, no degradation


def test_a_stricter_threshold_migrates_more_and_uses_more_energy():
    day = load_day("20110303")
    loose = simulate(day, "thr", 1.0, n_hosts=HOSTS)
    strict = simulate(day, "thr", 0.6, n_hosts=HOSTS)
    assert strict.energy_kwh > loose.energy_kwh
    assert strict.slatah < loose.slatah


def test_deterministic():
    day = load_day("20110303")
    a = simulate(day, "mad", n_hosts=20)
    b = simulate(day, "mad", n_hosts=20)
    assert (a.energy_kwh, a.migrations, a.slatah) == (b.energy_kwh, b.migrations, b.slatah)
    np.testing.assert_array_equal(a.power_w, b.power_w)


def test_a_linear_model_with_less_idle_power_saves_less_by_consolidating():
    day = load_day("20110303")
    saving = {}
    for idle in (0.3, 0.7):
        fleet = make_fleet(HOSTS, 53, idle_fraction=idle)
        dvfs = simulate(day, "dvfs", n_hosts=HOSTS, fleet=fleet).energy_kwh
        thr = simulate(day, "thr", n_hosts=HOSTS, fleet=fleet).energy_kwh
        saving[idle] = 1 - thr / dvfs
    assert saving[0.7] > saving[0.3]


@pytest.mark.parametrize("policy, param, message", [
    ("xyz", None, "unknown policy 'xyz'"),
    ("dvfs", 0.5, "takes no --param"),
    ("thr", 1.5, "threshold must be in"),
    ("mad", -1, "safety parameter must be >= 0"),
])
def test_bad_policies(policy, param, message):
    with pytest.raises(PolicyError, match=message):
        simulate(load_day("20110303"), policy, param, n_hosts=4)


def test_detector_rejects_unknown_policy():
    with pytest.raises(ValueError):
        Detector("zzz", 1).overloaded(np.zeros((1, 1)), np.zeros(1))


def test_directory_order_is_the_recorded_listing():
    sorted_day = load_day("20110303")
    listed = load_day("20110303", order="directory")
    assert sorted(listed.vm_names) == list(sorted_day.vm_names)
    assert listed.vm_names != sorted_day.vm_names
    row = listed.vm_names.index(sorted_day.vm_names[0])
    np.testing.assert_array_equal(listed.cpu[row], sorted_day.cpu[0])


def test_cloudsim_mode_retires_vms_that_go_idle_and_counts_arrivals_as_overload():
    day = load_day("20110303")
    plain = simulate(day, "thr", n_hosts=HOSTS)
    compat = simulate(day, "thr", n_hosts=HOSTS, cloudsim=True)
    # a VM retires when two samples in a row read 0 %
    idle_twice = ((day.cpu[:53, :-1] == 0) & (day.cpu[:53, 1:] == 0)).any(axis=1)
    assert compat.vms_retired == int(idle_twice.sum()) > 0 and plain.vms_retired == 0
    assert compat.energy_kwh < plain.energy_kwh
    assert compat.slatah > plain.slatah              # arriving VMs count as overload


def test_cloudsim_local_regression_is_unweighted():
    x = np.arange(1, 11, dtype=float)
    y = (0.2 + 0.03 * x + np.where(x > 8, 0.2, 0))[None, :]
    ols = np.polyfit(x, y[0], 1)
    assert Detector("lr", 1).overloaded(y, y[:, -1]) is not None
    from vlab.datacenter.detection import loess_predict
    assert loess_predict(y, weighted=False)[0] == pytest.approx(np.polyval(ols, 11))
    assert loess_predict(y)[0] != pytest.approx(np.polyval(ols, 11))


@pytest.mark.parametrize("policy, tolerance", [("dvfs", 0.01), ("thr", 0.10)])
def test_cloudsim_mode_matches_cloudsim_5_on_the_full_day(policy, tolerance):
    from vlab.datacenter.cloudsim_reference import CLOUDSIM_5_0
    day = load_day("20110303", order="directory")
    ours = simulate(day, policy, cloudsim=True)
    energy, migrations, slatah, _ = CLOUDSIM_5_0["20110303"][policy]
    assert ours.energy_kwh == pytest.approx(energy, rel=tolerance)
    assert ours.migrations == pytest.approx(migrations, rel=0.1, abs=1)
    assert ours.slatah == pytest.approx(slatah, rel=0.2, abs=1e-9)
