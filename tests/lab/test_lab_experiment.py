"""The experiment pattern: controls drive model and plot; the output holds the result."""

import base64

import pytest
from matplotlib.figure import Figure

from vlab.lab import experiment
from vlab.lab.style import new_figure


def square(n, offset=0):
    return {"n": n, "value": n * n + offset}


def plot_square(data):
    fig, ax = new_figure("single")
    ax.bar([0], [data["value"]])
    ax.set_title(f"{data['n']} squared")
    return fig


def describe_square(data):
    return f"{data['n']} squared is {data['value']}."


def _make(**kwargs):
    return experiment.Experiment(square, plot_square,
                                 {"n": experiment.int_slider("n", 0, 9, 3)},
                                 describe=describe_square, **kwargs)


def test_first_rendering_uses_the_controls_default_values():
    exp = _make()
    assert exp.params == {"n": 3}
    assert exp.data == {"n": 3, "value": 9}
    assert exp.figure.axes[0].get_title() == "3 squared"
    assert exp.text == "3 squared is 9."


def test_changing_a_control_reruns_model_and_plot():
    exp = _make()
    exp.controls["n"].value = 5
    assert exp.data["value"] == 25
    assert exp.figure.axes[0].get_title() == "5 squared"
    figure, text = exp.output.outputs
    assert figure["data"]["text/plain"] == "<figure: 5 squared>"
    assert base64.b64decode(figure["data"]["image/png"]).startswith(b"\x89PNG")
    assert text["data"]["text/plain"] == "5 squared is 25."


def test_fixed_parameters_are_passed_unchanged():
    exp = _make(fixed={"offset": 100})
    exp.controls["n"].value = 2
    assert exp.data["value"] == 104


def test_without_describe_only_the_figure_is_shown():
    exp = experiment.Experiment(square, plot_square, {"n": experiment.dropdown("n", [1, 2])})
    assert exp.text == "" and len(exp.output.outputs) == 1


def test_show_result_prints_the_text_for_nbval(capsys):
    _make().show_result()
    assert capsys.readouterr().out.splitlines()[-1] == "3 squared is 9."


def test_the_experiment_displays_as_its_widget():
    bundle = _make()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_figure_view_text_is_the_titles():
    fig = Figure()
    fig.suptitle("Top")
    fig.subplots(ncols=2)[1].set_title("right")
    view = experiment.FigureView(fig)
    assert repr(view) == "<figure: Top | right>"
    assert view._repr_png_().startswith(b"\x89PNG")


def test_control_helpers_pick_the_first_option_by_default():
    assert experiment.dropdown("d", [("one", 1), ("two", 2)]).value == 1
    assert experiment.toggle("t", ["a", "b"], "b").value == "b"
    assert experiment.float_slider("f", 0.5, 2.0).value == 0.5
    assert experiment.checkbox("c").value is False


@pytest.mark.parametrize("call", [lambda: experiment.dropdown("d", []),
                                  lambda: experiment.toggle("t", []),
                                  lambda: experiment.int_slider("s", 5, 1),
                                  lambda: experiment.float_slider("s", 5.0, 1.0)])
def test_control_helpers_reject_impossible_settings(call):
    with pytest.raises(ValueError):
        call()


def test_show_result_wraps_long_text(capsys):
    exp = experiment.Experiment(square, plot_square, {"n": experiment.dropdown("n", [1])},
                                describe=lambda data: "word " * 60)
    exp.show_result()
    lines = capsys.readouterr().out.splitlines()[1:]
    assert len(lines) > 1 and all(len(line) <= experiment.TEXT_WIDTH for line in lines)


def test_table_text_is_aligned_and_html_escaped():
    table = experiment.Table(("name", "x"), [("a<b", 1), ("long name", 22)], "Source: me")
    assert repr(table).splitlines() == ["name       x", "a<b        1", "long name  22",
                                        "Source: me"]
    assert "<td>a&lt;b</td>" in table._repr_html_()
    assert "<caption>Source: me</caption>" in table._repr_html_()


def test_table_rows_must_match_the_header():
    with pytest.raises(ValueError, match="every row needs 2 cells"):
        experiment.Table(("a", "b"), [(1,)])


def _titles(exp):
    return [output.outputs[0]["data"]["text/plain"] for output in exp._outputs.values()]


def test_every_setting_is_computed_once_and_stacked_for_the_browser():
    exp = _make()
    assert exp.states == 10 and exp.stored
    assert exp.widget.children[1] is exp._stacks[0][1]  # building it computes every setting
    assert sorted(_titles(exp)) == sorted(f"<figure: {n} squared>" for n in range(10))
    (name, stack), = exp._stacks
    assert name == "n" and stack.selected_index == 3 == exp.controls["n"].index
    link, = exp._links
    assert link.source == (exp.controls["n"], "index") and link.target == (stack, "selected_index")


def test_two_controls_nest_their_stacks():
    exp = experiment.Experiment(
        lambda n, offset: {"n": n, "value": n * n + offset}, plot_square,
        {"n": experiment.int_slider("n", 1, 3, 2),
         "offset": experiment.toggle("offset", [0, 100])})
    outer = exp.widget.children[1]
    assert exp.states == 6 and len(outer.children) == 3
    assert all(len(inner.children) == 2 for inner in outer.children)
    assert len(exp._links) == 4                     # one per stack: the outer and three inner
    exp.controls["offset"].value = 100
    exp.controls["n"].value = 3
    assert outer.selected_index == 2 and outer.children[2].selected_index == 1
    assert exp.output is outer.children[2].children[1]
    assert exp.data["value"] == 109


def test_an_experiment_with_too_many_settings_says_so(monkeypatch):
    monkeypatch.setattr(experiment, "MAX_STORED_STATES", 5)
    exp = _make()
    assert not exp.stored and exp._stacks == []
    note = exp.widget.children[-1].value
    assert "10 settings" in note and "make lab" in note
    exp.controls["n"].value = 7
    assert exp.output.outputs[0]["data"]["text/plain"] == "<figure: 7 squared>"


def test_before_the_notebook_runs_the_widget_cell_shows_the_figure_and_a_hint():
    bundle = _make()._repr_mimebundle_()
    assert bundle["text/plain"] == experiment.RUN_HINT
    assert bundle["text/html"].startswith('<img src="data:image/png;base64,iVBOR')
    assert "Run All Cells" in bundle["text/html"] and 'alt="&lt;figure: 3 squared&gt;"' in bundle[
        "text/html"]


def test_sliders_offer_their_steps_and_refuse_a_value_off_the_steps():
    assert experiment.int_slider("heap", 8, 20, 12, step=4).options == (8, 12, 16, 20)
    assert experiment.float_slider("x", 0.0, 0.3).options == (0.0, 0.1, 0.2, 0.3)
    assert experiment.checkbox("on?", True).index == 1
    with pytest.raises(ValueError, match="not one of its values"):
        experiment.stepped_slider("threshold", [1, 2, 4], 3)
    with pytest.raises(ValueError, match="low 5 is above high 1"):
        experiment.int_slider("n", 5, 1)
