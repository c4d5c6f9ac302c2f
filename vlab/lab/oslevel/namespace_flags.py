"""Namespaces switched on one by one: what a child process sees, what leaks back out.

A shell (the *outside*) starts a child with ``nsrun [-t /mnt] KINDS sh -c ...``
(``programs/nsrun.c``: ``unshare(2)`` with the ``CLONE_NEW*`` flags of KINDS, then
``fork``; the child mounts a fresh tmpfs on ``/mnt``).  The child sets the host name,
prints its pid, writes a file into ``/mnt`` and runs ``ps``; then the outside prints
its host name and lists ``/mnt``.  Which of the child's changes the outside sees
depends only on the flags (namespaces(7)):

==========  ==================================  =========================================
flag        the child, with it                  the outside afterwards, without it
==========  ==================================  =========================================
PID         is pid 1 and ``ps`` lists only its  --
            own processes (pid_namespaces(7))
UTS         has its own host name               sees the child's new host name
mount       has its own mount table             sees the child's tmpfs on ``/mnt`` and
                                                the file in it
==========  ==================================  =========================================

Everything runs on vlab's kernel inside one container (so that the experiment has a
clean machine of its own); the "outside" is that container's shell, and ``nsrun``'s
namespaces are nested in the container's, which behaves the same way one level down.

One difference from Linux shows here: vlab's procfs lists the processes of the *reader's*
PID namespace, so ``ps`` in a new PID namespace lists only its own processes even without
a new mount namespace.  Linux's ``/proc`` lists those of the namespace that *mounted* it,
which is why ``unshare --pid`` is normally paired with a new mount namespace and a fresh
``/proc`` (``--mount-proc``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from vlab.lab.experiment import Experiment, checkbox
from vlab.lab.oslevel.containers import Lab
from vlab.lab.style import INK, new_figure, styled

INSIDE = ("hostname inside; echo == inside; echo $$; hostname; echo note > /mnt/note; ps")
OUTSIDE = ("pause & hostname outside; nsrun -t /mnt {kinds} sh -c '{inside}'; "
           "echo == outside; hostname; ls /mnt; kill $!")
ISOLATED, SHARED = "#8FD19E", "#F2A3A3"


@dataclass(frozen=True)
class NamespaceView:
    """What the child and the outside reported, for one choice of flags."""

    flags: tuple[str, ...]          # e.g. ("pid", "uts")
    child_pid: int                  # $$ in the child
    child_ps: list[str]             # the programs ps listed in the child (not ps itself)
    outside_hostname: str           # after the child set "inside"
    outside_mnt: list[str]          # ls /mnt outside, after the child wrote /mnt/note
    output: str


@functools.cache
def namespace_view(pid: bool = False, uts: bool = False, mnt: bool = False) -> NamespaceView:
    """Model: run the scenario with the chosen ``CLONE_NEW*`` flags and parse its output."""
    flags = tuple(kind for kind, on in (("pid", pid), ("uts", uts), ("mnt", mnt)) if on)
    script = OUTSIDE.format(kinds=",".join(flags) or "none", inside=INSIDE)
    lab = Lab()
    container = lab.start("lab", ["/bin/sh", "-c", script])
    lab.run(20_000_000)
    text = container.text
    inside, _, outside = text.partition("== outside\n")
    lines = inside.split("== inside\n", 1)[1].splitlines()
    commands = [row.split(None, 3)[3].split()[0] for row in lines[3:]]   # CMD's program
    return NamespaceView(
        flags=flags, child_pid=int(lines[0]),
        child_ps=[command for command in commands if command != "ps"],
        outside_hostname=outside.splitlines()[0],
        outside_mnt=outside.splitlines()[1:], output=text)


def _rows(view: NamespaceView) -> list[tuple[str, str, bool, str, bool]]:
    """(namespace, what the child saw, isolated?, what the outside saw, isolated?)"""
    processes = _count(len(view.child_ps), "process", "processes")
    return [
        ("PID", f"its pid is {view.child_pid};\nps lists {processes}",
         "pid" in view.flags, "(nothing to see)", "pid" in view.flags),
        ("UTS", "set hostname\n'inside'", "uts" in view.flags,
         f"hostname is\n'{view.outside_hostname}'", view.outside_hostname == "outside"),
        ("mount", "mounted a tmpfs on /mnt,\nwrote /mnt/note", "mnt" in view.flags,
         "ls /mnt: " + (", ".join(view.outside_mnt) or "(empty)"), not view.outside_mnt),
    ]


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


@styled
def plot_namespaces(view: NamespaceView) -> Figure:
    """Plot: one row per namespace kind; green = kept apart, red = shared."""
    fig, ax = new_figure("column_low")
    rows = _rows(view)
    columns = [("the child (in nsrun)", 0.9), ("the outside, afterwards", 3.6)]
    for title, x in columns:
        ax.text(x + 1.25, len(rows) + 0.05, title, ha="center", va="bottom", fontsize=10,
                weight="bold")
    for i, (kind, child, child_ok, outside, outside_ok) in enumerate(rows):
        y = len(rows) - 1 - i
        flag = "new" if kind.lower()[:3] in [f[:3] for f in view.flags] else "shared"
        ax.text(0.75, y + 0.45, f"{kind}\n({flag})", ha="right", va="center", fontsize=10,
                weight="bold")
        for (x, text, ok) in ((0.9, child, child_ok), (3.6, outside, outside_ok)):
            ax.add_patch(Rectangle((x, y + 0.05), 2.5, 0.8, edgecolor=INK,
                                   facecolor=ISOLATED if ok else SHARED))
            ax.text(x + 1.25, y + 0.45, text, ha="center", va="center", fontsize=9)
    ax.set_xlim(-0.6, 6.2)
    ax.set_ylim(-0.1, len(rows) + 0.5)
    ax.axis("off")
    chosen = " | ".join(f"CLONE_NEW{f.upper() if f != 'mnt' else 'NS'}" for f in view.flags)
    ax.set_title(f"nsrun with {chosen or 'no new namespace'}\n(green: kept apart; "
                 "red: shared with the outside)")
    return fig


def describe_namespaces(view: NamespaceView) -> str:
    """Says, kind by kind, what was kept apart."""
    parts = [f"the child is pid {view.child_pid} and its ps lists "
             f"{_count(len(view.child_ps), 'process', 'processes')} "
             f"({', '.join(view.child_ps)})"]
    parts.append("the outside still says hostname 'outside'" if view.outside_hostname ==
                 "outside" else "the outside's hostname became 'inside' too")
    parts.append("the outside's /mnt is untouched" if not view.outside_mnt else
                 f"the outside sees the child's mount and its file ({', '.join(view.outside_mnt)})")
    return "With " + (", ".join(view.flags) or "no new namespaces") + ": " + "; ".join(parts) + "."


def namespaces_explorer() -> Experiment:
    """The experiment: three on/off switches, one per namespace kind."""
    return Experiment(namespace_view, plot_namespaces,
                      {"pid": checkbox("PID namespace"), "uts": checkbox("UTS namespace"),
                       "mnt": checkbox("mount namespace")},
                      describe=describe_namespaces)
