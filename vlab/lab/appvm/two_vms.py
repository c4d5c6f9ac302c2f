"""One class file, two virtual machines: the same bytes under different heaps and policies.

Application-level virtualization (Hwang, Dongarra & Fox 2011, sec. 3.1.2.5): the VM, not
the program, decides how much memory it gets and which files it may touch
(:class:`vlab.application.hll.policy.Policy`).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from vlab.application.hll import classfile
from vlab.application.hll.compiler import compile_source
from vlab.application.hll.loader import MemoryEntry
from vlab.application.hll.policy import Policy
from vlab.application.hll.vm import VM, RunResult
from vlab.lab.appvm.programs import REPORT
from vlab.lab.experiment import Experiment, int_slider, toggle
from vlab.lab.style import new_figure, styled

POLICIES = {
    "may write /out": Policy(read_paths=("/",), write_paths=("/out",)),
    "read-only": Policy(read_paths=("/",), write_paths=()),
}


@dataclass(frozen=True)
class TwoVMs:
    class_file_bytes: int
    runs: list[tuple[str, RunResult]]  # (configuration, result)


def two_vms(heap_kb_b: int = 128, policy_b: str = "read-only") -> TwoVMs:
    """Model: compile REPORT once; run the same bytes in VM A (roomy) and VM B."""
    classes = {c.name: classfile.write(c) for c in compile_source(REPORT, "report.py")}
    configs = [("VM A: 1000 KB heap, may write /out", 1000, "may write /out"),
               (f"VM B: {heap_kb_b} KB heap, {policy_b}", heap_kb_b, policy_b)]
    runs = []
    for label, heap_kb, policy in configs:
        vm = VM(MemoryEntry(dict(classes)), heap_limit=heap_kb * 1000, policy=POLICIES[policy])
        runs.append((label, vm.run("report")))
    return TwoVMs(len(classes["report"]), runs)


def _console_text(result: RunResult) -> str:
    lines = result.output.splitlines()
    if result.status != "ok":
        lines.append(f"[{result.status}] {result.message}")
    return "\n".join(textwrap.fill(line, 64) for line in lines)


@styled
def plot_two_vms(view: TwoVMs) -> Figure:
    """Plot: the two VMs' consoles, one above the other (9-point text at column width)."""
    fig, axes = new_figure("column_low", nrows=2)
    for ax, (label, result) in zip(axes, view.runs, strict=True):
        ax.add_patch(Rectangle((0, 0), 1, 1, facecolor="#1E1E1E", transform=ax.transAxes))
        ax.text(0.03, 0.86, _console_text(result), family="monospace", fontsize=9,
                color="#E8E8E8", va="top", transform=ax.transAxes)
        ax.axis("off")
        ax.set_title(label)
    fig.suptitle(f"The same report.vlc ({view.class_file_bytes} bytes) in two VMs")
    return fig


def describe_two_vms(view: TwoVMs) -> str:
    parts = [f"{label}: {result.status}, heap peak {result.stats['heap_peak']} bytes, "
             f"{result.stats['gc_collections']} collections"
             for label, result in view.runs]
    return "; ".join(parts) + "."


def two_vms_explorer(heap_kb_b: int = 128, policy_b: str = "read-only") -> Experiment:
    controls = {"heap_kb_b": int_slider("VM B heap (KB)", 16, 256, heap_kb_b, step=16),
                "policy_b": toggle("VM B policy", list(POLICIES), policy_b)}
    return Experiment(two_vms, plot_two_vms, controls, describe=describe_two_vms)
