"""Chapter 3: the cache over a run, its size limit, self-modifying code, precise traps."""

from vlab.lab.translation import cache_use, exactness


def test_cache_timeline_warms_up():
    samples = cache_use.cache_timeline(8)
    assert len(samples) == cache_use.SAMPLES
    assert samples[0].hits == 0 and samples[0].translated == 0
    last = samples[-1]
    assert last.hits > last.misses and last.blocks >= 1 and last.traces == 1
    counts = [(s.hits, s.misses, s.translated) for s in samples]
    for before, after in zip(counts, counts[1:], strict=False):
        assert all(a <= b for a, b in zip(before, after, strict=True))   # cumulative


def test_a_higher_threshold_interprets_longer():
    low, high = cache_use.cache_timeline(1)[-1], cache_use.cache_timeline(32)[-1]
    assert low.translated > high.translated
    assert "translated code" in cache_use.describe_cache_timeline(
        cache_use.cache_timeline(8))


def test_a_small_code_cache_thrashes():
    rows = {limit: stats for limit, _, stats in cache_use.cache_limit_runs((100_000, 4))}
    assert rows[100_000]["flushes"] == 0
    assert rows[4]["flushes"] > 100
    assert rows[4]["guest_instructions_translated"] > \
        20 * rows[100_000]["guest_instructions_translated"]


def test_self_modifying_code_invalidates_the_translation():
    run = exactness.smc_run(20)
    assert run.engine_results == {"interp": 2020, "dbt": 2020}
    assert run.before.endswith("+ 1") and run.after.endswith("+ 100")
    assert run.stats["invalidations"] >= 1 and run.stats["flushes"] == 2


def test_a_trap_inside_translated_code_is_precise():
    interp, dbt = exactness.precise_trap("interp"), exactness.precise_trap("dbt")
    assert dbt["translated"] > 200                     # the fault happened in a trace
    assert {k: v for k, v in dbt.items() if k != "translated"} == \
        {k: v for k, v in interp.items() if k != "translated"}
    assert interp["cause"] == "load access fault" and interp["mtval"] == 0x80100000
    assert interp["s1"] == 65 and interp["instret"] == 3 + 64 * 5 + 2
    assert "NO" not in repr(exactness.precise_trap_table())
