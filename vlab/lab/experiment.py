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

A chapter shows every experiment twice: first its default result in a plain
cell (``experiment.show_result()``: nbval checks that output), then the live
widget (``experiment``) in a cell tagged ``nbval-ignore-output``.  The widget's
output is set as data (``Output.outputs``), not captured from stdout, so the
static book stores the same first figure in the widget state.
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


class Experiment:
    """Wires named controls to a model function and a plot function.

    ``controls`` maps the model's keyword-argument names to widgets that have a
    ``value``.  ``fixed`` holds extra keyword arguments passed to the model
    unchanged.  Attributes after every update: ``params`` (what the model got),
    ``data`` (what it returned), ``figure`` and ``text`` (what is shown).
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
        self.output = widgets.Output()
        self.widget = widgets.VBox([widgets.HBox(list(self.controls.values())), self.output])
        for control in self.controls.values():
            control.observe(self.update, names="value")
        self.update()

    @property
    def params(self) -> dict[str, Any]:
        """The keyword arguments the model is called with now."""
        values = {name: control.value for name, control in self.controls.items()}
        return {**self.fixed, **values}

    def update(self, change: object = None) -> None:
        """Re-run model and plot with the controls' current values (a widget callback)."""
        self.data = self.model(**self.params)
        self.figure = self.plot(self.data)
        self.text = self.describe(self.data) if self.describe else ""
        outputs = [figure_output(self.figure)]
        if self.text:
            outputs.append(text_output(self.text))
        self.output.outputs = tuple(outputs)

    def show_result(self) -> None:
        """Display the current figure and text as plain cell output (checked by nbval)."""
        show(self.figure)
        if self.text:
            print(textwrap.fill(self.text, TEXT_WIDTH))

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


# --- small constructors so every chapter's controls look alike -----------------------


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


def _slider(kind, description, low, high, value, step):
    if low > high:
        raise ValueError(f"slider {description!r}: low {low} is above high {high}")
    return kind(description=description, min=low, max=high, step=step,
                value=low if value is None else value, continuous_update=False,
                style=_CONTROL_STYLE)


def int_slider(description: str, low: int, high: int, value: int | None = None,
               step: int = 1) -> widgets.IntSlider:
    """A labelled integer slider from ``low`` to ``high`` (inclusive)."""
    return _slider(widgets.IntSlider, description, low, high, value, step)


def float_slider(description: str, low: float, high: float, value: float | None = None,
                 step: float = 0.1) -> widgets.FloatSlider:
    """A labelled float slider from ``low`` to ``high`` (inclusive)."""
    return _slider(widgets.FloatSlider, description, low, high, value, step)


def checkbox(description: str, value: bool = False) -> widgets.Checkbox:
    """A labelled check box."""
    return widgets.Checkbox(description=description, value=value, style=_CONTROL_STYLE)
