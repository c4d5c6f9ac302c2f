"""The four VM operations as a small deterministic model: VMs across two hosts and a disk.

A virtualization layer can treat a whole VM as a thing to move around (Hwang,
Dongarra & Fox, 2011, sec. 1.2.3, Fig. 1.13):

- **multiplexing**: several VMs share one physical host;
- **suspension**: a VM's state is saved to storage and it stops running;
- **provision (resume)**: a saved VM is started again, on any host;
- **live migration**: a running VM moves to another host and keeps running.

Simplified: a VM here is only a name, a location and a state, and every
operation is one step.  What the operations really copy (memory pages, device
state), how long they take and how long a migrating VM pauses is modelled in
chapter 6.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle

from vlab.lab.concepts.levels import VM_OPERATIONS, VMOperation
from vlab.lab.style import HIGHLIGHT, INK, ROLE_COLORS, new_figure, styled, text_color_on

HOSTS: tuple[str, ...] = ("Host A", "Host B")
STORAGE = "Storage"
LOCATIONS: tuple[str, ...] = (*HOSTS, STORAGE)
RUNNING, SUSPENDED = "running", "suspended"


@dataclass(frozen=True)
class VM:
    """A virtual machine: where it is and whether it runs."""

    name: str
    location: str
    state: str


@dataclass(frozen=True)
class Snapshot:
    """Where every VM is after one step of a scenario, and what that step did."""

    step: int
    operation: VMOperation
    vms: tuple[VM, ...]
    moved: tuple[str, str, str] | None  # (vm, from, to) of this step, if a VM moved

    def at(self, location: str) -> tuple[VM, ...]:
        """The VMs at one location, in name order."""
        return tuple(vm for vm in self.vms if vm.location == location)


def _find(vms: tuple[VM, ...], name: str) -> VM:
    for vm in vms:
        if vm.name == name:
            return vm
    raise ValueError(f"no VM named {name!r}; there are {[vm.name for vm in vms]}")


def _moved(vms: tuple[VM, ...], name: str, location: str, state: str) -> tuple[VM, ...]:
    return tuple(replace(vm, location=location, state=state) if vm.name == name else vm
                 for vm in vms)


def suspend(vms: tuple[VM, ...], name: str) -> tuple[VM, ...]:
    """Save a running VM to storage."""
    if _find(vms, name).state != RUNNING:
        raise ValueError(f"{name} is not running, so it cannot be suspended")
    return _moved(vms, name, STORAGE, SUSPENDED)


def provision(vms: tuple[VM, ...], name: str, host: str) -> tuple[VM, ...]:
    """Resume a suspended VM from storage on ``host``."""
    if _find(vms, name).state != SUSPENDED:
        raise ValueError(f"{name} is not suspended, so there is nothing to resume")
    if host not in HOSTS:
        raise ValueError(f"{host!r} is not a host; choose one of {list(HOSTS)}")
    return _moved(vms, name, host, RUNNING)


def migrate(vms: tuple[VM, ...], name: str, host: str) -> tuple[VM, ...]:
    """Move a running VM to another host without stopping it."""
    vm = _find(vms, name)
    if vm.state != RUNNING:
        raise ValueError(f"{name} is not running; a suspended VM is provisioned, not migrated")
    if host not in HOSTS or host == vm.location:
        raise ValueError(f"{name} can only migrate to another host, not {host!r}")
    return _moved(vms, name, host, RUNNING)


START: tuple[VM, ...] = (VM("VM1", "Host A", RUNNING), VM("VM2", "Host A", RUNNING),
                         VM("VM3", "Host B", RUNNING))

#: The scenario of Fig. 1.13, one operation per step: (operation, vm, destination).
SCENARIO: tuple[tuple[str, str | None, str | None], ...] = (
    ("multiplex", None, None),
    ("suspend", "VM2", STORAGE),
    ("provision", "VM2", "Host B"),
    ("migrate", "VM1", "Host B"),
)

_OPERATIONS = {op.key: op for op in VM_OPERATIONS}
_APPLY = {"suspend": lambda vms, name, _to: suspend(vms, name),
          "provision": provision, "migrate": migrate}


def lifecycle(step: int) -> Snapshot:
    """The state of the scenario after ``step`` (0 to ``len(SCENARIO) - 1``)."""
    if not 0 <= step < len(SCENARIO):
        raise ValueError(f"step must be between 0 and {len(SCENARIO) - 1}, not {step}")
    vms, moved = START, None
    for key, name, destination in SCENARIO[1:step + 1]:
        moved = (name, _find(vms, name).location, destination)
        vms = _APPLY[key](vms, name, destination)
    return Snapshot(step, _OPERATIONS[SCENARIO[step][0]], vms, moved)


# --- drawing ----------------------------------------------------------------------------

VM_COLORS = {"VM1": "#4C72B0", "VM2": "#55A868", "VM3": "#8172B2"}
_SLOT = 0.9  # width of a location's box; locations sit at x = 0, 1, 2


def _vm_y(index: int) -> float:
    return 0.15 + 0.32 * index


def draw_snapshot(ax: Axes, snapshot: Snapshot) -> None:
    """Draw the hosts and the disk with the VMs in them, and the move of this step."""
    for column, location in enumerate(LOCATIONS):
        role = "storage" if location == STORAGE else "hardware"
        ax.add_patch(Rectangle((column, 0), _SLOT, 1.1, facecolor=ROLE_COLORS[role],
                               edgecolor=INK, alpha=0.35))
        ax.text(column + _SLOT / 2, -0.1, location, ha="center", va="top", fontsize=9)
        for index, vm in enumerate(snapshot.at(location)):
            moved = snapshot.moved is not None and snapshot.moved[0] == vm.name
            _draw_vm(ax, vm, column, _vm_y(index), moved=moved)
    if snapshot.moved:
        _draw_move(ax, snapshot)
    ax.set_title(snapshot.operation.name)
    ax.set_xlim(-0.05, len(LOCATIONS) - 0.05)
    ax.set_ylim(-0.35, 1.5)
    ax.set_axis_off()


def _draw_vm(ax: Axes, vm: VM, column: int, y: float, *, moved: bool = False) -> None:
    color = VM_COLORS.get(vm.name, "#999999")
    saved = vm.state == SUSPENDED
    ax.add_patch(Rectangle((column + 0.1, y), _SLOT - 0.2, 0.26, facecolor=color,
                           edgecolor=HIGHLIGHT if moved else INK, linewidth=3 if moved else 1,
                           hatch="//" if saved else None, alpha=0.55 if saved else 1.0,
                           label=vm.name))
    label = f"{vm.name}\n(saved)" if saved else vm.name
    ax.text(column + _SLOT / 2, y + 0.13, label, ha="center", va="center", fontsize=9,
            color=INK if saved else text_color_on(color))


def _draw_move(ax: Axes, snapshot: Snapshot) -> None:
    name, source, destination = snapshot.moved
    start = LOCATIONS.index(source) + _SLOT / 2
    end = LOCATIONS.index(destination) + _SLOT / 2
    bend = -0.3 if end > start else 0.3  # always arch upwards
    ax.add_patch(FancyArrowPatch((start, 1.15), (end, 1.15), arrowstyle="-|>",
                                 mutation_scale=14, color=HIGHLIGHT, linewidth=2,
                                 connectionstyle=f"arc3,rad={bend}"))


@styled
def plot_lifecycle(snapshot: Snapshot) -> Figure:
    """One step of the scenario."""
    fig, ax = new_figure("panel")
    draw_snapshot(ax, snapshot)
    return fig


@styled
def plot_lifecycle_overview() -> Figure:
    """All steps of the scenario, two by two, like Fig. 1.13 of Hwang et al. 2011."""
    fig, axes = new_figure("column_grid", nrows=2, ncols=(len(SCENARIO) + 1) // 2)
    for ax in list(axes.flat)[len(SCENARIO):]:
        ax.set_axis_off()
    for ax, step in zip(axes.flat, range(len(SCENARIO)), strict=False):
        draw_snapshot(ax, lifecycle(step))
        ax.set_title(f"({chr(ord('a') + step)}) {ax.get_title()}")
    return fig


def describe_snapshot(snapshot: Snapshot) -> str:
    """One sentence per step: what the operation did."""
    where = "; ".join(f"{loc}: {', '.join(vm.name for vm in snapshot.at(loc)) or 'empty'}"
                      for loc in LOCATIONS)
    return f"{snapshot.operation.name}: {snapshot.operation.effect}. Now {where}."
