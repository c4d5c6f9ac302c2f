"""Power models, fleet, migration cost, overload detection and placement."""

import numpy as np
import pytest

from vlab.datacenter.detection import Detector, iqr, loess_predict, mad
from vlab.datacenter.fleet import make_fleet, vm_types_for
from vlab.datacenter.migration_cost import migration_time_s
from vlab.datacenter.placement import first_fit, has_room, power_aware_best_fit
from vlab.datacenter.power_models import HP_ML110_G4, HP_ML110_G5, LinearPowerModel
from vlab.datacenter.state import HostState


def test_specpower_tables_interpolate_between_measured_points():
    assert HP_ML110_G4.power(0.0) == 86 and HP_ML110_G4.power(1.0) == 117
    assert HP_ML110_G5.power(0.25) == pytest.approx((101 + 105) / 2)
    # idle draws 70-74 % of peak: far from energy-proportional (Barroso & Hoelzle 2007)
    assert 0.5 < HP_ML110_G4.idle / HP_ML110_G4.peak < 0.75


def test_linear_model_and_its_idle_fraction():
    m = LinearPowerModel("x", 200, 0.5)
    assert m.power(np.array([0, 0.5, 1])).tolist() == [100, 150, 200]
    with pytest.raises(ValueError):
        LinearPowerModel("bad", 200, 1.5)


def test_vm_types_by_index_and_hosts_alternate():
    assert vm_types_for(8).tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    assert vm_types_for(1052)[262] == 0 and vm_types_for(1052)[263] == 1
    fleet = make_fleet(4, 4)
    assert fleet.host_attr("mips").tolist() == [3720, 5320, 3720, 5320]


def test_cloudsim_migration_time_is_ram_over_half_the_bandwidth():
    assert migration_time_s(1740, 1000) == pytest.approx(27.84)
    assert migration_time_s(613, 1000) < migration_time_s(870, 1000)


def test_mad_and_iqr():
    h = np.array([[0.1, 0.2, 0.3, 0.4, 0.5]])
    assert mad(h)[0] == pytest.approx(0.1)
    assert iqr(h)[0] == pytest.approx(0.2)


def test_local_regression_extrapolates_a_line_and_robust_ignores_an_outlier():
    x = np.arange(1, 11)
    line = (0.1 + 0.05 * x)[None, :]
    assert loess_predict(line)[0] == pytest.approx(0.1 + 0.05 * 11)
    spiky = line.copy()
    spiky[0, 7] = 0.95
    plain = loess_predict(spiky)[0]
    robust = loess_predict(spiky, robust=True)[0]
    assert abs(robust - 0.65) < abs(plain - 0.65)


def test_detectors_and_their_fallback():
    short = np.full((1, 5), 0.5)
    long = np.tile(np.linspace(0.5, 0.9, 30), (1, 1))
    assert Detector("mad", 2.5).overloaded(short, np.array([0.75]))[0]      # fallback 0.7
    assert not Detector("thr", 0.8).overloaded(short, np.array([0.75]))[0]
    assert Detector("lr", 1.2).overloaded(long, np.array([0.9]))[0]
    assert not Detector("lr", 1.0).overloaded(long * 0.5, np.array([0.45]))[0]


def _state(n_hosts, n_vms):
    state = HostState(make_fleet(n_hosts, n_vms))
    return state


def test_a_vm_core_must_fit_on_a_host_core():
    state = _state(2, 4)                      # VM 0 is 2500 MIPS: G5 only
    assert has_room(state, 0).tolist() == [False, True]
    assert first_fit(state, 0) == 1
    assert first_fit(state, 3) == 0           # 500 MIPS: the first host


def test_pabfd_picks_the_least_power_increase_and_skips_overload():
    state = _state(4, 4)
    state.set_demand(np.array([2000.0, 2000.0, 100.0, 100.0]), np.zeros((4, 1)))
    state.add(0, 1)                           # host 1 (G5) already at 2000/5320
    power_now = state.fleet.power(state.utilization)
    none = np.zeros(4, bool)
    target = power_aware_best_fit(state, 2, Detector("thr", 0.9), none, power_now)
    increase = [state.fleet.power_of(np.array([h]), np.array([(state.allocated[h] + 100)
                / state.capacity[h]]))[0] - power_now[h] for h in range(4)]
    assert target == int(np.argmin(increase))
    # a strict threshold forbids adding 2000 MIPS to the busy host
    assert power_aware_best_fit(state, 1, Detector("thr", 0.5), none, power_now) == 3
