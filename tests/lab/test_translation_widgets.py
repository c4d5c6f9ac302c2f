"""Chapter 3's widgets and code listings, without a browser."""

import pytest

from vlab.lab.translation import experiments as ch3
from vlab.lab.translation import programs
from vlab.lab.translation.programs import BRANCHY_SOURCE, SUM_SOURCE


def test_block_listing_is_the_generated_python_of_the_loop_block():
    listing = ch3.block_listing(SUM_SOURCE, "loop")
    text = repr(listing)
    assert text.startswith("# the block at loop, as Python\ndef block_80000010(R, k0):")
    assert "lw t0,0(a0)" in text and "bnez a1" in text
    compile(listing.source, "<listing>", "exec")                 # it is real Python
    assert "<span" in listing._repr_html_()                       # highlighted for readers


def test_trace_listing_holds_the_common_path_only():
    text = repr(ch3.trace_listing(BRANCHY_SOURCE, "loop"))
    assert "def trace_8000000c" in text
    assert "add a0,a0,s1" in text and "addi a1,a1,1" not in text   # rare path: a side exit


def test_listings_are_the_same_on_every_run():
    assert repr(ch3.block_listing()) == repr(ch3.block_listing())
    assert " at 0x" not in repr(ch3.trace_listing(BRANCHY_SOURCE))   # no object addresses


def test_the_trace_widget_follows_its_controls():
    experiment = ch3.trace_experiment(8, 16)
    assert experiment.data.period == 8 and len(experiment.data.paths) == 1
    experiment.controls["period"].value = 2
    assert experiment.data.period == 2 and len(experiment.data.paths) == 2   # a tree
    assert "tree of 2 paths" in experiment.text


def test_the_cache_widget_changes_the_threshold():
    experiment = ch3.cache_experiment(8)
    experiment.controls["threshold"].value = 2
    assert experiment.params == {"threshold": 2}
    assert experiment.data[-1].instructions == 591


def test_the_trip_widget_offers_thresholds():
    experiment = ch3.trip_experiment(8)
    assert experiment.data[-1].trips == 2000
    assert experiment.figure.axes[1].get_title() == "Speedup of translation (counted)"


def test_bad_program_settings_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="power of two"):
        programs.branchy_source(10, 3)
    with pytest.raises(ValueError, match="unknown engine"):
        programs.load(SUM_SOURCE, "jit")
    with pytest.raises(ValueError, match="at least 1"):
        programs.load(SUM_SOURCE, "dbt", block_threshold=0)


def test_expansion_table_counts_guest_and_generated_code():
    text = repr(ch3.expansion_table())
    rows = [line.split() for line in text.splitlines()[1:4]]
    assert [row[:3] for row in rows] == [["sum", "loop:", "block"], ["sum", "loop:", "trace"],
                                         ["branchy", "loop:", "trace"]]
    for row in rows:
        guest, guest_bytes, lines, compiled = map(int, row[3:7])
        assert guest_bytes == 4 * guest and lines > guest and compiled > lines
    assert ch3._code_lines('def f():\n    """doc."""\n    # c\n\n    return 1\n') == 2


def test_expansion_ratio_counts_code_lines_per_announced_guest_instruction():
    source = ch3.block_listing().source
    assert ch3.guest_instructions_in(source) == 5
    assert ch3.expansion_ratio(source) == ch3._code_lines(source) / 5
    assert ch3.guest_instructions_in("# 8000000c: addi a0,a0,1\n# not 1234: x\n") == 1
