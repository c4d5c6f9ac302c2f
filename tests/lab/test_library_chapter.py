"""Chapter 8's models: the facts the chapter states must come out of them."""

import pytest

from vlab.lab.library import foreign, hooks, remoting


def test_remoting_costs_more_for_small_transfers_and_large_kernels_amortize_it():
    saxpy = remoting.remoting_run("saxpy", 0, 1)
    assert saxpy.same_results
    assert all(saxpy.slowdown("vm", i) > 4 for i in range(4))       # per-byte bound
    assert saxpy.slowdown("network", 3) > saxpy.slowdown("network", 0)
    matmul = remoting.remoting_run("matmul", 3, 20)
    slowdowns = [matmul.slowdown("vm", i) for i in range(4)]
    assert slowdowns == sorted(slowdowns, reverse=True) and slowdowns[-1] < 1.5
    assert matmul.breakdown["native"]["remoting"] == 0 < matmul.breakdown["vm"]["remoting"]


def test_hooks_change_the_output_and_ltrace_costs_more_than_a_preload():
    plain = hooks.hook_run("none", "preload")
    both = hooks.hook_run("both", "preload")
    traced = hooks.hook_run("both", "ltrace")
    assert plain.output.startswith("config: colour=blue")
    assert both.output.splitlines()[:2] == ["config: colour=red",
                                            "seconds since 1970: 0 (the last century)"]
    assert traced.output == both.output
    assert both.hooked_calls == 2 and both.stops == 0 and traced.stops > 10
    assert both.total < 1.1 * plain.total < traced.total
    assert 'fopen("config.txt" -> "other.txt", "r")' in traced.trace


def test_the_translation_table_pairs_win32_calls_with_posix_calls():
    table = repr(foreign.translation_table(foreign.foreign_run()))
    assert 'openat(-100, "note.txt", 577, 420) = 3' in table
    assert "exit_group(0)" in table


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError):
        remoting.remoting_run("fft")
    with pytest.raises(ValueError):
        hooks.hook_run("everything")
