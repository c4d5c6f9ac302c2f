"""Chapter 9's on-stack replacement timeline (vlab/lab/appvm/osr_view.py)."""

import pytest

from vlab.application.hll.osr import BACK_EDGES_PER_CALL
from vlab.lab.appvm import osr_view


def test_a_function_called_once_moves_into_compiled_code_mid_run():
    data = osr_view.timeline("int stays int", 1000, 2)
    assert len(data.osr_at) == 1 and data.deopt_at == []
    assert data.osr_lines == [3]  # the loop header of total()
    # before the switch everything is interpreted, after it (nearly) nothing
    before = max(i for i, t in enumerate(data.time) if t <= data.osr_at[0])
    assert data.interpreted[before] == data.time[before]
    assert data.compiled > 0.9 * data.total
    assert data.output == data.output_interpreted == "2997\n"


def test_the_switch_comes_later_with_a_higher_threshold():
    points = [osr_view.timeline("int stays int", 1000, t).osr_at[0]
              for t in osr_view.THRESHOLDS]
    assert points == sorted(points) and len(set(points)) == len(points)
    # about one loop iteration per back edge: the switch scales with the threshold
    ratio = points[-1] / points[0]
    assert ratio == pytest.approx(osr_view.THRESHOLDS[-1] / osr_view.THRESHOLDS[0], rel=0.1)


def test_a_loop_shorter_than_the_back_edge_threshold_stays_interpreted():
    n = BACK_EDGES_PER_CALL * 4 - 10  # fewer back edges than threshold 4 asks for
    data = osr_view.timeline("int stays int", n, 4)
    assert data.osr_at == [] and data.compiled == 0
    assert "nothing was compiled" in osr_view.describe_timeline(data)


def test_a_failed_guard_returns_to_the_interpreter_with_the_same_output():
    data = osr_view.timeline("int becomes str", 1000, 2)
    assert len(data.deopt_at) == 1 and len(data.osr_at) == 2
    assert data.osr_at[0] < data.deopt_at[0] < data.osr_at[1]
    assert data.output == data.output_interpreted == "500:.... 504\n"
    text = osr_view.describe_timeline(data)
    assert "guard failed" in text and "the same as the interpreter's" in text


def test_bad_settings_are_clear_errors():
    with pytest.raises(ValueError, match="unknown case"):
        osr_view.timeline("float", 100, 2)
    with pytest.raises(ValueError, match="at least 1"):
        osr_view.timeline("int stays int", 0, 2)


def test_the_experiment_stores_every_setting_and_each_draws_differently():
    exp = osr_view.osr_explorer()
    assert exp.stored and exp.states == 2 * 3 * 3
    first = exp.text
    exp.controls["case"].value = "int becomes str"
    assert exp.text != first and "guard failed" in exp.text
    assert exp.figure.axes[0].get_title().startswith("One call, 1000 loop iterations")


def test_figure_text_is_at_least_9_points_and_marks_every_switch():
    from vlab.lab.style import min_font_points

    data = osr_view.timeline("int becomes str", 300, 4)
    fig = osr_view.plot_timeline(data)
    assert min_font_points(fig) >= 9
    vertical = [line for line in fig.axes[0].lines if len(set(line.get_xdata())) == 1]
    assert sorted(line.get_xdata()[0] for line in vertical) == sorted(data.osr_at + data.deopt_at)


@pytest.mark.parametrize("case", list(osr_view.PROGRAMS))
def test_watching_the_run_does_not_change_it(case):
    """The tracer only reads the counters: totals and switches match an unwatched run."""
    from vlab.application.hll.vm import VM

    data = osr_view.timeline(case, 1000, 2)
    vm = VM.from_source(osr_view.PROGRAMS[case].format(n=1000), "osr.py", jit_threshold=2)
    stats = vm.run().stats
    assert data.total == stats["instructions"]
    assert data.compiled == stats["compiled_instructions"]
    assert len(data.osr_at) == stats["jit_osr_entries"]
    assert len(data.deopt_at) == stats["jit_deopts"]
