"""Shadow vs nested paging measured on a running guest: the shape of Adams & Agesen 2006
and Bhargava et al. 2008, from the ledger's counts."""
import pytest

from vlab.lab.memvirt.measure import measure
from vlab.lab.memvirt.workloads import guest

SMALL = dict(pages=40, rounds=20)     # enough rounds that shadow's first fills amortize


@pytest.fixture(scope='module')
def runs():
    return {(kind, method): measure(method, kind=kind, **SMALL)
            for kind in ('pt-heavy', 'compute') for method in ('native', 'shadow', 'nested')}


def test_every_method_runs_the_same_instructions(runs):
    for kind in ('pt-heavy', 'compute'):
        assert len({runs[kind, m].instructions for m in ('native', 'shadow', 'nested')}) == 1


def test_native_and_shadow_walk_2_references_per_miss_nested_close_to_8(runs):
    for kind in ('pt-heavy', 'compute'):
        assert 1.8 <= runs[kind, 'native'].refs_per_miss <= 2.0
        assert 1.8 <= runs[kind, 'shadow'].refs_per_miss <= 2.0
        assert 7.0 <= runs[kind, 'nested'].refs_per_miss <= 8.0


def test_shadow_pays_exits_on_page_table_updates_nested_does_not(runs):
    heavy, compute = runs['pt-heavy', 'shadow'], runs['compute', 'shadow']
    assert heavy.per_kilo(heavy.exits) > 10 * compute.per_kilo(compute.exits)
    assert runs['pt-heavy', 'nested'].exits == runs['compute', 'nested'].exits


def test_the_cheaper_method_flips_with_the_update_rate(runs):
    assert runs['compute', 'shadow'].cycles < runs['compute', 'nested'].cycles
    assert runs['pt-heavy', 'shadow'].cycles > 3 * runs['pt-heavy', 'nested'].cycles


def test_the_walk_caches_shorten_nested_walks():
    plain = measure('nested', kind='compute', **SMALL)
    cached = measure('nested', nested_tlb=True, walk_cache=True, kind='compute', **SMALL)
    assert cached.walk_refs < plain.walk_refs / 3
    assert cached.tlb_misses == plain.tlb_misses


@pytest.mark.parametrize('bad, message', [
    (dict(kind='fork-bomb'), 'choose one of'),
    (dict(pages=65), 'pages must be'),
    (dict(updates=9), 'updates must be'),
])
def test_bad_workload_knobs_are_clear_errors(bad, message):
    with pytest.raises(ValueError, match=message):
        guest(**bad)


def test_an_unknown_method_is_a_clear_error():
    with pytest.raises(ValueError, match='native, shadow, shadow-trace, nested'):
        measure('paravirt')
