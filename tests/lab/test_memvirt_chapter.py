"""Chapter 5's experiments: each model's data against the facts the chapter states."""
import pytest

from vlab.lab.memvirt import crossover, overcommit_demo, walk2d


@pytest.mark.parametrize('ntlb, pwc, warm', [('off', 'off', 8), ('off', 'on', 5),
                                              ('on', 'off', 4), ('on', 'on', 3)])
def test_the_2d_walk_reads_8_then_fewer_with_the_caches(ntlb, pwc, warm):
    trace = walk2d.walk_trace(ntlb, pwc)
    assert len(trace.cold) == 8
    assert [stage for stage, _ in trace.cold] == ['G', 'G', 'VS', 'G', 'G', 'VS', 'G', 'G']
    assert len(trace.warm) == warm


def test_the_walk_experiment_switches_and_describes():
    exp = walk2d.walk_explorer()
    exp.controls['nested_tlb'].value = 'on'
    assert exp.params == {'nested_tlb': 'on', 'walk_cache': 'off'}
    assert 'the second 4' in exp.text


def test_shadow_wins_without_updates_and_nested_wins_with_many():
    data = crossover.crossover(0)
    shadow, nested = data.cycles['shadow'], data.cycles['nested']
    assert shadow[0] < nested[0] and shadow[-1] > 5 * nested[-1]
    assert list(data.rates) == sorted(data.rates)
    assert all(a <= b for a, b in zip(shadow, shadow[1:], strict=False))  # more updates: dearer
    assert 'shadow is' in crossover.describe_crossover(data)
    assert 'nested is' in crossover.describe_crossover(crossover.crossover(1))


def test_a_bad_update_period_is_a_clear_error():
    with pytest.raises(ValueError, match='update_every must be one of'):
        crossover.crossover(3)


def test_sharing_saves_more_with_more_vms_and_the_balloon_a_fixed_amount():
    saved = {}
    for vms in (1, 2, 4):
        run = overcommit_demo.overcommit_run(vms, 'on', 0)
        saved[vms] = run.guest_pages - run.frames[1]
    assert saved[1] < saved[2] < saved[4]
    off = overcommit_demo.overcommit_run(3, 'off', 6)
    assert off.frames[:3] == (72, 72, 72) and off.frames[3] == 72 - 3 * 6
    on = overcommit_demo.overcommit_run(3, 'on', 0)
    assert on.faults == 3 * overcommit_demo.WRITES
    # the last VM to write a shared page gets it back writable, without a copy
    assert on.frames[2] == on.frames[1] + (3 - 1) * overcommit_demo.WRITES


def test_tracing_moves_the_crossing_to_higher_update_rates():
    data = crossover.crossover(0)
    plain, traced = data.cycles['shadow'], data.cycles['shadow, tracing']
    nested = data.cycles['nested']
    first_loss = [next(i for i, (s, n) in enumerate(zip(costs, nested, strict=True)) if s > n)
                  for costs in (plain, traced)]
    assert first_loss[0] < first_loss[1]
    assert traced[-1] < plain[-1] / 3
