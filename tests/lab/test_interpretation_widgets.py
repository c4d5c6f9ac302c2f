"""Chapter 2's widgets and code excerpts, without a browser."""

from vlab.isa import explain
from vlab.lab.interpretation import experiments as ch2


def test_the_dispatch_loop_excerpt_is_the_interpreter_s_for_loop():
    lines = explain.dispatch_loop_source().splitlines()
    assert lines[0] == "try:"
    assert lines[1].strip().startswith("for i in range(n)")
    assert lines[2].strip() == "pc = cache[pc]()"
    assert lines[3] == "except KeyError:"
    assert not any(line.startswith("except") for line in lines[4:])


def test_handler_source_shows_the_table_row_and_the_compiled_python():
    text = ch2.handler_source("add")
    assert "0000000xxxxxxxxxx000xxxxx0110011" in text
    assert "def _h_add():" in text
    try:
        ch2.handler_source("mov")
    except ValueError as error:
        assert "mov" in str(error)
    else:
        raise AssertionError("an unknown instruction must be refused")


def test_the_host_work_widget_changes_loop_length():
    experiment = ch2.host_work_experiment(10)
    assert [w.iterations for w in experiment.data] == [10, 10]
    experiment.controls["iterations"].value = 5
    assert [w.engine for w in experiment.data] == ["predecoded", "decode-and-dispatch"]
    assert experiment.data[0].iterations == 5
    assert "bytecodes per guest instruction" in experiment.text


def test_the_dispatch_widget_moves_along_the_sweep():
    experiment = ch2.dispatch_experiment(10)
    experiment.controls["iterations"].value = 2
    assert experiment.data.iterations == 2
    assert "Summing 2 words" in experiment.text


def test_the_ledger_widget_has_writes_and_paging():
    experiment = ch2.ledger_experiment(3, paging=False)
    experiment.controls["paging"].value = True
    assert experiment.params == {"writes": 3, "paging": True}
    assert "tlb_miss" in experiment.data.counts
    experiment.controls["writes"].value = 0
    assert experiment.data.output == b""


def test_listings_shown_to_students_carry_no_linter_markers():
    assert "noqa" not in explain.dispatch_loop_source()
    assert "# i = instructions retired" in explain.dispatch_loop_source()
    assert explain.without_linter_marker("x = 1  # noqa: B007, E501") == "x = 1"
    assert explain.without_linter_marker("y  # noqa: B007 - why") == "y  # why"
    assert explain.without_linter_marker("z  # a comment") == "z  # a comment"
