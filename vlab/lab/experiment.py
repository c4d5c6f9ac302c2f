"""The experiment pattern every chapter follows: model -> plot, wired by a widget.

An experiment is three separate things:

1. a **model function** ``model(**params) -> data``: pure, deterministic, no
   matplotlib, no widgets; it is what a test checks against the course's facts;
2. a **plot function** ``plot(data) -> Figure``: draws the data and nothing else
   (decorate it with :func:`vlab.lab.style.styled`);
3. optionally a **describe function** ``describe(data) -> str``: one or two
   sentences that say in words what the figure shows;

and an :class:`Experiment` that only wires controls (ipywidgets) to them: when a
control changes, it calls the model with the controls' values, plots the
result and puts figure and text in its output area.  The wiring holds no logic
of its own, so a test can build an experiment, set a control's value and check
``experiment.params``, ``.data``, ``.figure`` and ``.text`` without a browser.

Every control offers a small set of values (buttons, drop-down lists, sliders
discretised to their steps: all of them have an ``index``), so an experiment
knows all its states.  When there are at most :data:`MAX_STORED_STATES`, the
widget computes every state once, when the notebook runs, and stacks the
results (an ipywidgets ``Stack`` per control, nested for several controls);
``jslink`` ties each control's ``index`` to its stack's ``selected_index``.
The links run in the browser, so the stored page switches figures without a
kernel: the static book responds like the notebook.  An experiment with more
states shows its first one and says, under the controls, that the notebook
explores the rest (the kernel redraws it there).

A chapter shows every experiment once: a plain cell builds it and calls
``experiment.show_result()`` (nbval checks that output; the cell is tagged
``remove-output`` so the book shows its code only), and the next cell shows the
widget (``experiment``; tagged ``remove-input`` and ``nbval-ignore-output``).
Before the notebook has run (an untrusted notebook in JupyterLab) the widget cell
shows the first figure and a line asking to run the cells instead of a repr.
"""

from __future__ import annotations

import base64
import html
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets
from IPython.display import display
from matplotlib.figure import Figure

from vlab.lab.style import figure_png

Model = Callable[..., Any]
Plot = Callable[[Any], Figure]
Describe = Callable[[Any], str]

_CONTROL_STYLE = {"description_width": "initial"}
TEXT_WIDTH = 76  # characters per line of printed experiment text


def figure_summary(fig: Figure) -> str:
    """A one-line text stand-in for a figure: its title and its panels' titles."""
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    if fig.get_suptitle():
        titles.insert(0, fig.get_suptitle())
    return "<figure: " + " | ".join(titles) + ">" if titles else "<figure>"


class FigureView:
    """Displays a figure as a PNG whose text form is :func:`figure_summary`.

    In a notebook the PNG is what the reader sees; the text form is what nbval
    compares, so a changed title is caught while pixels are not compared.
    """

    def __init__(self, fig: Figure) -> None:
        self.figure = fig

    def _repr_png_(self) -> bytes:
        return figure_png(self.figure)

    def __repr__(self) -> str:
        return figure_summary(self.figure)


class Table:
    """A table as a notebook output: HTML for readers, aligned plain text for nbval.

    ``header`` and every row are sequences of cells (converted with ``str``);
    ``caption`` (for example the table's source) is shown above the HTML table
    and below the text one.
    """

    def __init__(self, header: Sequence[Any], rows: Sequence[Sequence[Any]],
                 caption: str = "") -> None:
        self.header = tuple(str(cell) for cell in header)
        self.rows = [tuple(str(cell) for cell in row) for row in rows]
        if any(len(row) != len(self.header) for row in self.rows):
            raise ValueError(f"every row needs {len(self.header)} cells, like the header")
        self.caption = caption

    def __repr__(self) -> str:
        lines = [self.header, *self.rows]
        widths = [max(len(line[i]) for line in lines) for i in range(len(self.header))]
        text = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
                .rstrip() for line in lines]
        return "\n".join(text + ([self.caption] if self.caption else []))

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(cell)}</th>" for cell in self.header)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row)
                       + "</tr>" for row in self.rows)
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def show(fig: Figure) -> None:
    """Display a figure in a notebook cell (once, as a PNG)."""
    display(FigureView(fig))


def figure_output(fig: Figure) -> dict[str, Any]:
    """A notebook ``display_data`` output holding ``fig`` (for an Output widget)."""
    png = base64.b64encode(figure_png(fig)).decode("ascii")
    return {
        "output_type": "display_data",
        "data": {"image/png": png, "text/plain": figure_summary(fig)},
        "metadata": {},
    }


def text_output(text: str) -> dict[str, Any]:
    """A notebook ``display_data`` output holding a short paragraph of text."""
    return {
        "output_type": "display_data",
        "data": {"text/html": f"<p>{html.escape(text)}</p>", "text/plain": text},
        "metadata": {},
    }


#: The most states an experiment precomputes for the static book (each is one stored PNG).
MAX_STORED_STATES = 64

#: What the widget cell says where widgets cannot run (an untrusted notebook not yet run).
RUN_HINT = ("Interactive experiment: run the notebook's cells (Run > Run All Cells) "
            "to use its controls. Shown: its first setting.")


def too_many_states_note(states: int) -> str:
    """The line under an experiment whose states are not all stored in the page."""
    return (f"This experiment has {states} settings, too many to store in this page: "
            "here the figure stays at its first setting. Open the chapter as a notebook "
            "(make lab) and run its cells to explore every setting.")


def _state_count(controls: Sequence[widgets.Widget]) -> int | None:
    """How many combinations of values the controls offer (None: a control has no index)."""
    count = 1
    for control in controls:
        if not hasattr(control, "index") or not hasattr(control, "_options_values"):
            return None
        count *= len(control._options_values)
    return count


class Experiment:
    """Wires named controls to a model function and a plot function.

    ``controls`` maps the model's keyword-argument names to selection widgets
    (built with :func:`toggle`, :func:`dropdown`, :func:`int_slider`, ...).
    ``fixed`` holds extra keyword arguments passed to the model unchanged.
    Attributes after every update: ``params`` (what the model got), ``data``
    (what it returned), ``figure`` and ``text`` (what is shown), ``states``
    (how many settings the controls offer) and ``stored`` (whether the widget
    precomputes all of them, see the module docstring).
    """

    def __init__(
        self,
        model: Model,
        plot: Plot,
        controls: Mapping[str, widgets.ValueWidget],
        *,
        describe: Describe | None = None,
        fixed: Mapping[str, Any] | None = None,
    ) -> None:
        self.model, self.plot, self.describe = model, plot, describe
        self.controls = dict(controls)
        self.fixed = dict(fixed or {})
        self.states = _state_count(list(self.controls.values()))
        self.stored = self.states is not None and self.states <= MAX_STORED_STATES
        self._results: dict[tuple[Any, ...], tuple[Any, str, tuple[dict, ...]]] = {}
        self._widget: widgets.Widget | None = None
        self._outputs: dict[tuple[Any, ...], widgets.Output] = {}
        self._stacks: list[tuple[str, widgets.Stack]] = []
        self._links: list[widgets.Widget] = []
        for control in self.controls.values():
            control.observe(self.update, names="value")
        self.update()

    @property
    def params(self) -> dict[str, Any]:
        """The keyword arguments the model is called with now."""
        values = {name: control.value for name, control in self.controls.items()}
        return {**self.fixed, **values}

    def _key(self) -> tuple[Any, ...]:
        return tuple(control.value for control in self.controls.values())

    def _result(self, key: tuple[Any, ...]) -> tuple[Any, str, tuple[dict, ...]]:
        """(data, text, notebook outputs) of one setting, computed once."""
        if key not in self._results:
            data = self.model(**self.fixed, **dict(zip(self.controls, key, strict=True)))
            text = self.describe(data) if self.describe else ""
            outputs = [figure_output(self.plot(data))]
            if text:
                outputs.append(text_output(text))
            self._results[key] = (data, text, tuple(outputs))
        return self._results[key]

    def update(self, change: object = None) -> None:
        """Re-run model and plot with the controls' current values (a widget callback)."""
        key = self._key()
        self.data, self.text, outputs = self._result(key)
        self.figure = self.plot(self.data)
        if self._widget is None:
            return
        if self.stored:
            for name, stack in self._stacks:
                stack.selected_index = self.controls[name].index
        else:
            self._outputs[()].outputs = outputs

    # --- the widget --------------------------------------------------------------------

    @property
    def widget(self) -> widgets.Widget:
        """Controls above the figure (built, and every state computed, on first use)."""
        if self._widget is None:
            self._widget = self._build_widget()
        return self._widget

    def _build_widget(self) -> widgets.Widget:
        controls = widgets.VBox(list(self.controls.values()))
        if self.stored:
            return widgets.VBox([controls, self._stack(0, ())])
        self._outputs[()] = widgets.Output(outputs=self._result(self._key())[2])
        note = too_many_states_note(self.states or 0)
        return widgets.VBox([controls, self._outputs[()],
                             widgets.HTML(f"<p><em>{html.escape(note)}</em></p>")])

    def _stack(self, depth: int, prefix: tuple[Any, ...]) -> widgets.Widget:
        """The outputs of every setting that starts with ``prefix``, one stack per control."""
        names = list(self.controls)
        if depth == len(names):
            self._outputs[prefix] = widgets.Output(outputs=self._result(prefix)[2])
            return self._outputs[prefix]
        control = self.controls[names[depth]]
        children = [self._stack(depth + 1, (*prefix, value))
                    for value in control._options_values]
        stack = widgets.Stack(children, selected_index=control.index)
        self._stacks.append((names[depth], stack))
        self._links.append(widgets.jslink((control, "index"), (stack, "selected_index")))
        return stack

    @property
    def output(self) -> widgets.Output:
        """The Output widget that shows the current setting."""
        if self._widget is None:
            self._widget = self._build_widget()
        return self._outputs[self._key() if self.stored else ()]

    def show_result(self) -> None:
        """Display the current figure and text as plain cell output (checked by nbval)."""
        show(self.figure)
        if self.text:
            print(textwrap.fill(self.text, TEXT_WIDTH))

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widget; where it cannot run, the first figure and :data:`RUN_HINT` instead."""
        bundle = dict(self.widget._repr_mimebundle_(**kwargs))
        png = figure_output(self.figure)["data"]["image/png"]
        bundle["text/plain"] = RUN_HINT
        bundle["text/html"] = (f'<img src="data:image/png;base64,{png}" '
                               f'alt="{html.escape(figure_summary(self.figure))}"/>'
                               f"<p><em>{html.escape(RUN_HINT)}</em></p>")
        return bundle


# --- small constructors so every chapter's controls look alike -----------------------
# Every control offers a finite list of values and has an ``index`` (see the module
# docstring); sliders are SelectionSliders over their steps.

_SLIDER_LAYOUT = {"width": "100%", "max_width": "44em"}


def dropdown(description: str, options: Sequence[Any], value: Any = None,
             width: str | None = None) -> widgets.Dropdown:
    """A labelled drop-down list; ``options`` are values or ``(label, value)`` pairs.

    ``width`` is a CSS width (``"30em"``) for lists whose labels are long.
    """
    if not options:
        raise ValueError(f"dropdown {description!r} needs at least one option")
    first = options[0][1] if isinstance(options[0], tuple) else options[0]
    return widgets.Dropdown(
        description=description,
        options=list(options),
        value=first if value is None else value,
        style=_CONTROL_STYLE,
        layout=widgets.Layout(width=width) if width else widgets.Layout(),
    )


def toggle(description: str, options: Sequence[Any], value: Any = None) -> widgets.ToggleButtons:
    """A row of mutually exclusive buttons; ``options`` as for :func:`dropdown`."""
    if not options:
        raise ValueError(f"toggle {description!r} needs at least one option")
    first = options[0][1] if isinstance(options[0], tuple) else options[0]
    return widgets.ToggleButtons(
        description=description,
        options=list(options),
        value=first if value is None else value,
        style={**_CONTROL_STYLE, "button_width": "auto"},
    )


def stepped_slider(description: str, values: Sequence[Any],
                   value: Any = None) -> widgets.SelectionSlider:
    """A labelled slider over exactly ``values`` (in order); it starts at ``value``.

    Use it for a documented subset of a range (``[1, 2, 4, 8, 16]``) when every
    step would be too many states to store (:data:`MAX_STORED_STATES`).
    """
    values = list(values)
    if not values:
        raise ValueError(f"slider {description!r} needs at least one value")
    if value is not None and value not in values:
        raise ValueError(f"slider {description!r}: {value!r} is not one of its values "
                         f"{values[0]!r} ... {values[-1]!r}; start it at one of them")
    return widgets.SelectionSlider(
        description=description, options=values,
        value=values[0] if value is None else value, continuous_update=False,
        style=_CONTROL_STYLE, layout=widgets.Layout(**_SLIDER_LAYOUT),
    )


def int_slider(description: str, low: int, high: int, value: int | None = None,
               step: int = 1) -> widgets.SelectionSlider:
    """A labelled integer slider from ``low`` to ``high`` (inclusive) by ``step``."""
    if low > high:
        raise ValueError(f"slider {description!r}: low {low} is above high {high}")
    return stepped_slider(description, range(low, high + 1, step), value)


def float_slider(description: str, low: float, high: float, value: float | None = None,
                 step: float = 0.1) -> widgets.SelectionSlider:
    """A labelled float slider from ``low`` to ``high`` (inclusive) by ``step``."""
    if low > high:
        raise ValueError(f"slider {description!r}: low {low} is above high {high}")
    count = round((high - low) / step)
    values = [round(low + i * step, 10) for i in range(count + 1)]
    return stepped_slider(description, values, None if value is None else round(value, 10))


def checkbox(description: str, value: bool = False) -> widgets.ToggleButtons:
    """A labelled on/off choice (two buttons, so it has an index like every control)."""
    return toggle(description, [("off", False), ("on", True)], value)
