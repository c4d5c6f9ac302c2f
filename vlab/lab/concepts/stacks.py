"""Drawing layer stacks: the traditional machine, the VM types and the five levels.

A :class:`vlab.lab.concepts.levels.Stack` is rows of boxes, bottom row first (hardware at
the bottom).  :func:`draw_stack` draws one stack into a matplotlib axes, one unit
wide and one unit per row; the figure functions put stacks side by side the way
the source book does (Hwang, Dongarra & Fox, 2011: Fig. 1.12 for the VM types,
Fig. 3.1 for before/after virtualization, Fig. 3.2 for the five levels).

Conventions in every stack figure:

- a box's color says its role (hardware, host OS, guest OS, applications), and
  a virtualization layer has the color of its level;
- the virtualization layer has a thick gold edge; the interface it intercepts
  is a gold dashed line on top of it, labelled on the right;
- with ``show_privilege``, software running in the CPU's privileged mode gets a
  dark ``privileged`` tag.
"""

from __future__ import annotations

import textwrap

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from vlab.lab.concepts import levels
from vlab.lab.concepts.levels import PRIVILEGED, Box, Stack
from vlab.lab.style import (
    HIGHLIGHT,
    INK,
    LEVEL_COLORS,
    PAPER,
    ROLE_COLORS,
    level_color,
    new_figure,
    styled,
    text_color_on,
)

ROW_GAP = 0.08     # vertical space between rows, in row heights
BOX_GAP = 0.03     # horizontal space between boxes of one row
VIRT_EDGE = 3.0    # edge width of the virtualization layer


def box_color(box: Box, level_key: str = "hardware") -> str:
    """Face color of a box: by role; a virtualization layer takes its level's color."""
    if box.role == "vmm":
        return LEVEL_COLORS["hardware"]
    if box.role == "virt":
        return level_color(level_key)
    return ROLE_COLORS.get(box.role, ROLE_COLORS["layer"])


def draw_box(ax: Axes, box: Box, y: float, color: str, *, edge: str = INK,
             linewidth: float = 1.0, wrap: int = 22, fontsize: float = 9,
             lift: float = 0.0) -> Rectangle:
    """Draw one box of height ``1 - ROW_GAP`` with its bottom at ``y``; return the patch.

    The label is centred, raised by ``lift`` (in rows) to clear a badge below it."""
    left, width = box.x + BOX_GAP / 2, box.width - BOX_GAP
    patch = Rectangle((left, y), width, 1 - ROW_GAP, facecolor=color, edgecolor=edge,
                      linewidth=linewidth, label=box.label)
    ax.add_patch(patch)
    text = "\n".join(textwrap.wrap(box.label, max(6, int(wrap * box.width)),
                                    break_long_words=False, break_on_hyphens=False))
    ax.text(left + width / 2, y + (1 - ROW_GAP) / 2 + lift, text, ha="center", va="center",
            fontsize=fontsize, color=text_color_on(color))
    return patch


def draw_stack(ax: Axes, stack: Stack, *, level_key: str = "hardware",
               show_privilege: bool = False, show_interface: bool = False,
               wrap: int = 22, fontsize: float = 9) -> None:
    """Draw ``stack`` into ``ax`` (x from 0 to 1, one unit per row) and title it."""
    for row_index, row in enumerate(stack.rows):
        for box in row:
            is_virt = box.role in ("vmm", "virt")
            badge = show_privilege and box.mode == PRIVILEGED
            draw_box(ax, box, row_index, box_color(box, level_key),
                     edge=HIGHLIGHT if is_virt else INK,
                     linewidth=VIRT_EDGE if is_virt else 1.0, wrap=wrap, fontsize=fontsize,
                     lift=0.1 if badge else 0.0)
            if badge:
                draw_privilege_badge(ax, box, row_index)
    if show_interface and stack.virt_row is not None:
        mark_interface(ax, stack.virt_row + 1 - ROW_GAP / 2, stack.interface)
    ax.set_title(stack.title)
    ax.set_xlim(-0.02, 1.85 if show_interface else 1.02)
    ax.set_ylim(-0.05, len(stack.rows))
    ax.set_axis_off()


def draw_privilege_badge(ax: Axes, box: Box, y: float) -> None:
    """A dark tag in the box's lower right corner: this software runs privileged."""
    right = box.x + box.width - BOX_GAP / 2 - 0.01
    ax.text(right, y + 0.05, "privileged", ha="right", va="bottom", fontsize=9,
            color=PAPER, bbox={"boxstyle": "square,pad=0.2", "facecolor": INK,
                               "edgecolor": INK})


def mark_interface(ax: Axes, y: float, interface: str) -> None:
    """Mark the intercepted interface at height ``y`` with a dashed line and a label."""
    ax.plot([-0.02, 1.08], [y, y], color=HIGHLIGHT, linestyle="--", linewidth=2.5,
            label="intercepted interface")
    label = "intercepts:\n" + "\n".join(textwrap.wrap(interface, 16))
    ax.annotate(label, xy=(1.08, y), xytext=(1.12, y), va="center", ha="left",
                fontsize=9, color=INK)


def _legend_for_roles(fig: Figure, *, privilege: bool = False, ncols: int = 6) -> None:
    handles = [Patch(facecolor=ROLE_COLORS[role], edgecolor=INK, label=name)
               for role, name in (("hardware", "hardware"), ("host_os", "host OS"),
                                  ("guest_os", "guest OS"), ("app", "applications"))]
    handles.append(Patch(facecolor=LEVEL_COLORS["hardware"], edgecolor=HIGHLIGHT,
                         linewidth=VIRT_EDGE, label="hypervisor / VMM"))
    if privilege:
        handles.append(Patch(facecolor=INK, edgecolor=INK,
                             label="privileged: runs in supervisor mode"))
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), ncols),
               fontsize=9)


@styled
def plot_vm_types(keys: tuple[str, ...] = levels.VM_TYPE_KEYS, *,
                  show_privilege: bool = True) -> Figure:
    """The traditional machine and the three VM types, two by two (Hwang et al. 2011,
    Fig. 1.12)."""
    fig, axes = new_figure("column_grid", nrows=2, ncols=(len(keys) + 1) // 2)
    for ax in list(axes.flat)[len(keys):]:
        ax.set_axis_off()
    for index, (ax, key) in enumerate(zip(axes.flat, keys, strict=False)):
        draw_stack(ax, levels.vm_type(key), show_privilege=show_privilege, wrap=30)
        ax.set_title(f"({chr(ord('a') + index)}) {ax.get_title()}")
    _legend_for_roles(fig, privilege=show_privilege, ncols=3)
    return fig


@styled
def plot_vm_type(stack: Stack) -> Figure:
    """One VM type's stack (see :data:`levels.VM_TYPES`) with its privileged software marked."""
    fig, ax = new_figure("column")
    draw_stack(ax, stack, show_privilege=True)
    _legend_for_roles(fig, privilege=True, ncols=3)
    return fig


@styled
def plot_before_after() -> Figure:
    """A computer before and after virtualization (Hwang et al. 2011, Fig. 3.1)."""
    fig, axes = new_figure("column", ncols=2)
    for index, (ax, stack) in enumerate(zip(list(axes), levels.BEFORE_AND_AFTER, strict=True)):
        draw_stack(ax, stack, wrap=18)
        ax.set_title(f"({chr(ord('a') + index)}) {ax.get_title()}")
    _legend_for_roles(fig, ncols=3)
    return fig


def draw_level_ladder(ax: Axes, selected: str | None = None, wrap: int = 40) -> None:
    """The five levels as bands, ISA at the bottom, ``selected`` in full color; the examples
    are wrapped at ``wrap`` characters a line."""
    for lvl in levels.LEVELS:
        y = lvl.number - 1
        chosen = lvl.key == selected
        color = level_color(lvl.key)
        ax.add_patch(Rectangle((0, y), 1, 1 - ROW_GAP, facecolor=color,
                               alpha=1.0 if chosen or selected is None else 0.25,
                               edgecolor=HIGHLIGHT if chosen else INK,
                               linewidth=VIRT_EDGE if chosen else 1.0, label=lvl.name))
        examples = ", ".join(levels.technologies_at(lvl.key))
        ink = text_color_on(color) if chosen or selected is None else INK
        ax.text(0.5, y + 0.62, lvl.name, ha="center", va="center", fontsize=10,
                weight="bold" if chosen else "normal", color=ink)
        ax.text(0.5, y + 0.3, "\n".join(textwrap.wrap(examples, wrap)), ha="center",
                va="center", fontsize=9, color=ink)
    ax.set_title("Five levels of virtualization")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.05, len(levels.LEVELS))
    ax.set_axis_off()


@styled
def plot_levels() -> Figure:
    """The five levels with the lecture's examples (Hwang et al. 2011, Fig. 3.2)."""
    fig, ax = new_figure("column")
    draw_level_ladder(ax)
    return fig


@styled
def plot_level(level_key: str, technology: str | None = None) -> Figure:
    """The five levels with one selected, beside a system virtualized at that level.

    The right panel shows the virtualization layer (named after ``technology``
    if given) highlighted and the interface it intercepts marked.
    """
    fig, (ladder, system) = new_figure("column_tall", ncols=2, width_ratios=(1.25, 1))
    draw_level_ladder(ladder, selected=level_key, wrap=34)
    stack = levels.level_stack(level_key, technology)
    draw_stack(system, stack, level_key=level_key, show_interface=True, wrap=14)
    system.set_title(f"{technology}: {stack.title}" if technology else stack.title,
                     wrap=True)
    return fig
