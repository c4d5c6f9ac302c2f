"""Chapter 6's models against the facts the chapter states: resumed guests end as unmoved
ones, clones are small and share the template, pre-copy converges for an idle guest and
not for a diabolical one, post-copy sends fewer bytes with a shorter downtime."""
import pytest

from vlab.lab.lifecycle import clone_lab, migration_lab, suspend_lab
from vlab.lab.lifecycle.workload import RATES, dirtying_rate


def test_suspend_demo_resumes_exactly_and_stores_few_pages():
    s = suspend_lab.suspend_demo(1_000)
    assert s.same and s.after.endswith('\n')
    assert s.pages < s.guest_pages
    assert s.sizes['memory'][1] < s.sizes['memory'][0] / 10        # zlib at work
    assert 'exactly as' in suspend_lab.describe_sizes(s)


def test_clones_are_constant_and_share_the_template():
    small, large = clone_lab.provision(4, 0), clone_lab.provision(4, 16)
    assert small.empty_clone_bytes == large.empty_clone_bytes < 200
    assert all(owned == 0 for owned in small.owned)
    assert all(owned == 16 for owned in large.owned)
    assert sum(large.clone_bytes) < large.template_bytes


def test_dirtying_rates_are_ordered():
    rates = [dirtying_rate(name) for name in RATES]
    assert rates == sorted(rates) and rates[-1] > 100 * rates[0]


@pytest.mark.parametrize('rate', ['idle', 'diabolical'])
def test_migration_shapes(rate):
    m = migration_lab.migrate(rate, '1 Gbit/s')
    assert m.pre_ok and m.post_ok
    if rate == 'idle':
        assert len(m.pre.rounds) == 1 and 'threshold' in m.pre.stop_reason
    else:
        assert 'no convergence' in m.pre.stop_reason
        assert m.pre.downtime > 3 * migration_lab.migrate('idle', '1 Gbit/s').pre.downtime
    assert m.post.bytes_sent < m.pre.bytes_sent and m.post.downtime < m.pre.downtime
    fig = migration_lab.plot_rounds(m)
    assert 'Pre-copy' in fig.axes[0].get_title()


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match='choose one of'):
        migration_lab.migrate('idle', '10 Gbit/s')
    with pytest.raises(ValueError, match='dirtying rate'):
        migration_lab.migrate('frantic', '1 Gbit/s')


def test_multiplexing_shares_follow_weights_and_caps():
    from vlab.lab.lifecycle import multiplex_lab
    even = multiplex_lab.share_cpu(512, 0)
    assert even.shares['B'] == pytest.approx(0.5, abs=0.03)
    capped = multiplex_lab.share_cpu(512, 10)
    assert capped.shares['A'] == pytest.approx(0.1, abs=0.01) and capped.shares['idle'] == 0
