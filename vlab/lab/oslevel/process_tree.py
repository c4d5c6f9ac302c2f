"""The process tree seen from the host and from inside a container (PID namespaces).

Two containers, ``web`` and ``db``, run on one kernel.  Each container's first process
is PID 1 of a new PID namespace (pid_namespaces(7)): it and its descendants get a
second, smaller number there, and they can see (``ps``, ``kill``) only the processes of
their own namespace.  The host's namespace is the parent of both, so the host sees every
process, each with its host pid.

The model starts the containers on the kernel (:mod:`vlab.lab.oslevel.containers`);
their shells start ``pause`` processes, run ``ps`` a second later (web) and wait.  When
every process waits, nothing can run again and the machine stops: the model then reads
the kernel's process table -- each process's number in every PID namespace it belongs to.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from vlab.lab.experiment import Experiment, toggle
from vlab.lab.oslevel.containers import Lab
from vlab.lab.style import INK, LEVEL_COLORS, ROLE_COLORS, new_figure, styled

#: What each container runs (its PID 1 is this shell).
SCRIPTS = {
    "web": "pause & pause & sleep 1; ps; wait",
    "db": "pause & echo db: my pid is $$; wait",
}
VIEWS = ("host", "web", "db")
COLORS = {"host": ROLE_COLORS["host_os"], "web": LEVEL_COLORS["os"],
          "db": LEVEL_COLORS["application"]}


@dataclass(frozen=True)
class Proc:
    """One process of the snapshot: host pid, name, parent, container, its numbers."""

    host_pid: int
    comm: str
    parent: int | None       # host pid of the parent
    container: str           # "host" or the container's name
    pids: dict[str, int]     # view ("host", "web", "db") -> its pid there, if visible


@functools.cache
def snapshot() -> tuple[tuple[Proc, ...], dict[str, str]]:
    """Start web and db, run until every process waits; the process table and outputs."""
    lab = Lab()
    for name, script in SCRIPTS.items():
        lab.start(name, ["/bin/sh", "-c", script])
    lab.run(20_000_000)
    namespaces = {"host": lab.kernel.root_ns.pid}
    namespaces.update({name: c.run.ns.pid for name, c in lab.containers.items()})
    procs = []
    for pid, proc in sorted(lab.kernel.processes.items()):
        if proc.state == "Z":
            continue
        numbers = {view: proc.pids[ns] for view, ns in namespaces.items() if ns in proc.pids}
        container = next((v for v in ("web", "db") if v in numbers), "host")
        procs.append(Proc(pid, proc.comm, proc.parent.pid if proc.parent else None,
                          container, numbers))
    outputs = {name: c.text for name, c in lab.containers.items()}
    return tuple(procs), outputs


@dataclass(frozen=True)
class TreeView:
    """The snapshot as seen from one PID namespace."""

    seen_from: str
    procs: tuple[Proc, ...]

    @property
    def visible(self) -> list[Proc]:
        return [p for p in self.procs if self.seen_from in p.pids]

    def ppid(self, proc: Proc) -> int:
        """The parent's pid as this view sees it; 0 if the parent is outside the view
        (what getppid() returns to a PID namespace's init)."""
        parent = next((p for p in self.procs if p.host_pid == proc.parent), None)
        return parent.pids.get(self.seen_from, 0) if parent else 0


def tree_view(seen_from: str = "host") -> TreeView:
    """Model: the process table of :func:`snapshot`, seen from ``seen_from``."""
    if seen_from not in VIEWS:
        raise ValueError(f"unknown view {seen_from!r}; choose one of {list(VIEWS)}")
    return TreeView(seen_from, snapshot()[0])


def ps_table(view: TreeView) -> list[tuple[int, int, str]]:
    """``(PID, PPID, CMD)`` rows as ``ps`` run in that view lists them."""
    return sorted((p.pids[view.seen_from], view.ppid(p), p.comm) for p in view.visible)


def _layout(procs: tuple[Proc, ...]) -> dict[int, tuple[float, int]]:
    """x, depth of each process in the tree (leaves spread evenly, parents centred)."""
    children: dict[int | None, list[Proc]] = {}
    for proc in procs:
        children.setdefault(proc.parent, []).append(proc)
    place: dict[int, tuple[float, int]] = {}
    next_x = [0.0]

    def visit(proc: Proc, depth: int) -> float:
        kids = children.get(proc.host_pid, [])
        if not kids:
            x = next_x[0]
            next_x[0] += 1
        else:
            xs = [visit(kid, depth + 1) for kid in kids]
            x = sum(xs) / len(xs)
        place[proc.host_pid] = (x, depth)
        return x

    for root in children.get(None, []):
        visit(root, 0)
    return place


@styled
def plot_tree(view: TreeView) -> Figure:
    """Plot: the whole tree; boxes the view cannot see are faded, labelled 'not visible'."""
    fig, ax = new_figure("column")
    place = _layout(view.procs)
    by_pid = {p.host_pid: p for p in view.procs}
    for proc in view.procs:
        x, depth = place[proc.host_pid]
        if proc.parent in place:
            px, pdepth = place[proc.parent]
            ax.plot([px, x], [-pdepth - 0.3, -depth + 0.3], color=INK, lw=1, zorder=1)
    for proc in view.procs:
        x, depth = place[proc.host_pid]
        seen = view.seen_from in proc.pids
        ax.add_patch(FancyBboxPatch((x - 0.42, -depth - 0.3), 0.84, 0.6,
                                    boxstyle="round,pad=0.02", facecolor=COLORS[proc.container],
                                    edgecolor=INK, alpha=1.0 if seen else 0.25, zorder=2))
        label = (f"{proc.comm}\npid {proc.pids[view.seen_from]}" if seen
                 else f"{proc.comm}\nnot visible")
        ax.text(x, -depth, label, ha="center", va="center", fontsize=9, zorder=3,
                color=INK if seen else "#777777")
    width = max(x for x, _ in place.values())
    for name in ("web", "db"):
        xs = [place[p.host_pid][0] for p in view.procs if p.container == name]
        ax.text(sum(xs) / len(xs), -max(d for _, d in place.values()) - 0.75,
                f"container {name}", ha="center", va="center", fontsize=9,
                color=INK, weight="bold")
    ax.set_xlim(-0.6, width + 0.6)
    ax.set_ylim(-max(d for _, d in place.values()) - 1.0, 0.6)
    ax.axis("off")
    count = len(view.visible)
    where = "the host" if view.seen_from == "host" else f"inside container {view.seen_from}"
    ax.set_title(f"One kernel's processes, seen from {where}\n({count} of "
                 f"{len(by_pid)} visible, pids as numbered there)")
    return fig


def describe_tree(view: TreeView) -> str:
    """Says what the view sees and how its numbers relate to the host's."""
    rows = ps_table(view)
    if view.seen_from == "host":
        return (f"The host sees all {len(rows)} processes: its own vlab-shim (pid 1, the "
                "runtime's reaper) and both containers' processes, each with its host pid.")
    mine = [p for p in view.visible]
    pairs = ", ".join(f"{p.pids[view.seen_from]} (host {p.pids['host']})"
                      for p in sorted(mine, key=lambda p: p.pids[view.seen_from]))
    return (f"Inside {view.seen_from}, ps would list {len(rows)} processes, numbered "
            f"{pairs}. Its PID 1 is the shell the host calls "
            f"{min(mine, key=lambda p: p.pids[view.seen_from]).pids['host']}; that "
            "shell's parent, the host's vlab-shim, is outside the namespace, so its PPID "
            "reads 0. The other container's processes do not exist for it.")


def tree_explorer(seen_from: str = "host") -> Experiment:
    """The experiment: which PID namespace to look from."""
    return Experiment(tree_view, plot_tree,
                      {"seen_from": toggle("Seen from", list(VIEWS), seen_from)},
                      describe=describe_tree)
