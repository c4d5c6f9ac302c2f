"""Chapter 1's experiments: levels and technologies, VM types, VM operations, merits.

Each experiment is a model function (returns data), a plot function and a
describe function, wired by :class:`vlab.lab.experiment.Experiment`:

- :func:`technology_explorer`: pick one of the lecture's example technologies and
  see its level highlighted among the five and the interface it intercepts
  (Hwang, Dongarra & Fox, 2011, sec. 3.1.1, Fig. 3.2);
- :func:`vm_type_explorer`: pick a VM type and see which software runs in the
  CPU's privileged mode (sec. 1.2.3, Fig. 1.12);
- :func:`lifecycle_explorer`: step through multiplexing, suspension, provision
  and live migration of VMs across two hosts and a disk (Fig. 1.13).

:func:`levels_table` summarizes the five levels; :func:`merits_table` and
:func:`plot_merits` show Table 3.1 as quoted in the lecture.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from vlab.lab.concepts import levels, stacks, vm_timeline
from vlab.lab.experiment import Experiment, Table, dropdown, int_slider, toggle
from vlab.lab.style import INK, PAPER, new_figure, styled

# --- experiment 1: technology -> level, layer and intercepted interface ----------------


@dataclass(frozen=True)
class TechnologyView:
    """What the technology explorer shows for one technology."""

    technology: levels.Technology
    level: levels.Level
    stack: levels.Stack


def technology_view(technology: str) -> TechnologyView:
    """Model: the level of a technology and the stack it virtualizes."""
    tech = levels.technology(technology)
    return TechnologyView(tech, levels.level(tech.level), levels.level_stack(tech.level, tech.name))


def plot_technology(view: TechnologyView) -> Figure:
    """Plot: the five levels with this one selected, beside its stack."""
    return stacks.plot_level(view.level.key, view.technology.name)


def describe_technology(view: TechnologyView) -> str:
    """Describe: level, what it intercepts, and how."""
    tech, lvl = view.technology, view.level
    return (f"{tech.name} ({tech.what}) virtualizes at level {lvl.number} of 5, "
            f"{lvl.name}. Its layer intercepts {lvl.interface} and offers "
            f"{lvl.presents}. How: {tech.mechanism}. Modelled in chapter(s) "
            f"{levels.chapter_list(lvl.chapters)}.")


def technology_explorer(technology: str = "Xen") -> Experiment:
    """Widget: a drop-down over all the lecture's examples, grouped by level."""
    options = [(f"{tech.name}  ({levels.level(tech.level).name})", tech.name)
               for tech in levels.TECHNOLOGIES]
    control = dropdown("Technology", options, technology, width="32em")
    return Experiment(technology_view, plot_technology, {"technology": control},
                      describe=describe_technology)


# --- experiment 2: VM type -> who runs privileged ---------------------------------------


def vm_type_view(vm_type: str) -> levels.Stack:
    """Model: the layer stack of a VM type (the privilege of each box is in it)."""
    return levels.vm_type(vm_type)


def describe_vm_type(stack: levels.Stack) -> str:
    """Describe: which software runs privileged, which does not."""
    privileged = levels.privileged_software(stack)
    unprivileged = sorted({box.label for box in stack.boxes()
                           if box.mode == levels.USER})
    return (f"{stack.title}: privileged mode: {', '.join(privileged)}. "
            f"User mode: {', '.join(unprivileged)}. {stack.summary}")


def vm_type_explorer(vm_type: str = "native") -> Experiment:
    """Widget: buttons for the traditional machine and the three VM types."""
    options = [(levels.vm_type(key).title, key) for key in levels.VM_TYPE_KEYS]
    control = toggle("Machine", options, vm_type)
    return Experiment(vm_type_view, stacks.plot_vm_type, {"vm_type": control},
                      describe=describe_vm_type)


# --- experiment 3: the VM operations, step by step --------------------------------------


def lifecycle_explorer(step: int = 0) -> Experiment:
    """Widget: a slider over the steps of the multiplex/suspend/provision/migrate scenario."""
    control = int_slider("Step", 0, len(vm_timeline.SCENARIO) - 1, step)
    return Experiment(vm_timeline.lifecycle, vm_timeline.plot_lifecycle, {"step": control},
                      describe=vm_timeline.describe_snapshot)


# --- relative merits (Table 3.1) --------------------------------------------------------


def merits_table() -> Table:
    """Table 3.1 as quoted in the lecture, with its source."""
    header = ("Level", *(c.capitalize() for c in levels.MERIT_CRITERIA))
    rows = [(levels.level(key).name, *(levels.RELATIVE_MERITS[key][c]
                                       for c in levels.MERIT_CRITERIA))
            for key in levels.RELATIVE_MERITS]
    return Table(header, rows, "Relative merits of virtualization at each level, 1 (lowest) "
                               f"to 5 (highest). Source: {levels.MERITS_SOURCE}.")


def levels_table() -> Table:
    """The five levels, top first: lecture name, what the layer intercepts, examples."""
    rows = [(lvl.name, lvl.lecture_name, lvl.interface,
             ", ".join(levels.technologies_at(lvl.key)),
             levels.chapter_list(lvl.chapters))
            for lvl in reversed(levels.LEVELS)]
    return Table(("Level", "In the lecture", "The layer intercepts", "Examples", "Chapters"),
                 rows, "After Hwang, Dongarra & Fox 2011, sec. 3.1.1 and Fig. 3.2.")


def merits_matrix() -> tuple[tuple[str, ...], np.ndarray]:
    """Level keys (lecture order, application first) and their ratings as a matrix."""
    keys = tuple(levels.RELATIVE_MERITS)
    ratings = np.array([[levels.RELATIVE_MERITS[k][c] for c in levels.MERIT_CRITERIA]
                        for k in keys])
    return keys, ratings


@styled
def plot_merits() -> Figure:
    """A heat map of Table 3.1: rows are levels, columns are criteria."""
    keys, ratings = merits_matrix()
    fig, ax = new_figure("table")
    ax.imshow(ratings, cmap="YlGn", vmin=0, vmax=5, aspect="auto")
    for (row, column), value in np.ndenumerate(ratings):
        ax.text(column, row, str(value), ha="center", va="center", fontsize=11,
                weight="bold", color=PAPER if value >= 4 else INK)
    ax.set_xticks(range(len(levels.MERIT_CRITERIA)),
                  [c.replace(" ", "\n") for c in levels.MERIT_CRITERIA])
    ax.set_yticks(range(len(keys)), [levels.level(k).name for k in keys])
    ax.tick_params(length=0)
    ax.set_title("Relative merits, 1 to 5 (Hwang et al. 2011, Table 3.1)")
    return fig
