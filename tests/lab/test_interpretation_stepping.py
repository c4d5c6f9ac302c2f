"""Chapter 2 experiment 1: stepping the sum program."""

import pytest

from vlab.isa.fields import REG_NUMBERS
from vlab.lab.interpretation import experiments as ch2
from vlab.lab.interpretation.programs import SUM_SOURCE
from vlab.lab.interpretation.stepping import describe_step, plot_step, program_length, step_program


def test_before_the_first_step_nothing_has_run():
    view = step_program(0)
    assert view.steps == 0 and view.trace == () and view.changed == ()
    assert view.pc == 0x8000_0000 and set(view.regs) == {0}
    assert view.next_line.startswith("la")
    assert "Nothing has run yet" in describe_step(view)


def test_after_five_steps_the_first_load_has_happened():
    view = step_program(5)
    assert view.changed == (REG_NUMBERS["t0"],)
    assert view.regs[REG_NUMBERS["t0"]] == 3                      # array[0]
    (kind, address, size, value), = view.touched
    assert (kind, address, size, value) == ("ld", view.data_base, 4, 3)
    assert view.next_text == "add a2,a2,t0"
    assert len(view.trace) == 5


def test_the_whole_program_stores_the_sum():
    length = program_length()
    assert length == 32
    view = step_program(length)
    assert view.done and view.next_text == "ebreak"
    address_of = {name: address for address, name in view.data_labels.items()}
    offset = address_of["total"] - view.data_base
    assert int.from_bytes(view.data[offset:offset + 4], "little") == 3 + 1 + 4 + 1 + 5
    assert view.touched[0][0] == "st"
    assert "finished" in describe_step(view)


def test_stepping_past_the_end_stays_at_the_end():
    assert step_program(100).steps == step_program(32).steps == 32


def test_the_figure_shows_registers_memory_and_trace():
    fig = plot_step(step_program(7))
    assert [ax.get_title() for ax in fig.axes] == [
        "Registers after 7 instructions", "Memory: .data words",
        "Trace (last instruction highlighted)"]


def test_negative_steps_are_refused():
    with pytest.raises(ValueError, match="steps"):
        step_program(-1)


def test_the_stepper_widget_follows_its_slider():
    experiment = ch2.stepper(5)
    assert experiment.controls["steps"].options[-1] == 32
    assert experiment.data.steps == 5
    experiment.controls["steps"].value = 9
    assert experiment.params == {"source": SUM_SOURCE, "steps": 9}
    assert experiment.data.steps == 9
    assert "After 9 instructions" in experiment.text
    assert experiment.output.outputs[0]["data"]["image/png"]
