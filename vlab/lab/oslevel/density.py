"""Start time and density: how cheap an idle container is on a shared kernel.

The model starts N containers of one image on one kernel, each running ``pause`` (an
idle service), runs the machine until all of them wait, and measures from the kernel and
the ledger (:mod:`vlab.host.ledger`):

* **memory**: the frames the containers hold (each cgroup's ``memory.current``: the
  pages of its process -- text, data, stack, page tables -- charged when allocated);
* **start cost**: the ledger's cycles and the guest time from the first start until all
  are waiting (instructions, traps, system calls, context switches, zeroed pages);
* **image storage**: the image (one layer: the chapter's programs) is shared by content, so N
  containers need it once, plus an (empty) writable layer each; a copy per container
  (what a VM's disk image per guest amounts to) would need N times its size.

From the memory per container follows the density: how many such containers fit in the
host's RAM.  (vlab's kernel loads each process's program into frames of its own; Linux
would share the text pages of one file through its page cache, so there an idle container
costs even less.)  What is *not* charged: the runtime's own work (making the cgroup, the
namespaces and the mounts is done by Python here, as runc's setup is done outside the
container), so the start cost is the container's processes' part only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from matplotlib.figure import Figure

from vlab.lab.experiment import Experiment, stepped_slider
from vlab.lab.oslevel.containers import Lab, tools_layer
from vlab.lab.style import LEVEL_COLORS, ROLE_COLORS, new_figure, styled
from vlab.os.container.kernelrun import HOST_RAM

COUNTS = (1, 2, 4, 8, 16)
MIB = 1 << 20


@dataclass(frozen=True)
class DensityRun:
    """What N idle containers cost."""

    count: int
    memory_bytes: list[int]        # memory.current of each container
    start_cycles: int              # ledger cycles from the first start to all waiting
    start_ns: int                  # guest time for the same
    ledger_rows: dict[str, int]    # event -> count over the starts
    image_bytes: int               # the shared image layer's file content
    host_ram: int

    @property
    def per_container(self) -> float:
        return sum(self.memory_bytes) / self.count

    @property
    def fit_in_ram(self) -> int:
        return int(self.host_ram // self.per_container)


@functools.cache
def density_run(count: int = 4) -> DensityRun:
    """Model: start ``count`` idle containers of one image; measure them."""
    if count not in COUNTS:
        raise ValueError(f"{count} containers: choose one of {list(COUNTS)}")
    lab = Lab()
    ledger = lab.machine.ledger
    before, time0 = ledger.snapshot(), lab.now_ns()
    image = [tools_layer()]               # pause needs nothing else
    containers = [lab.start(f"c{i}", ["/bin/pause"], image=image) for i in range(count)]
    lab.run(50_000_000)                   # until every container waits in pause
    if any(c.run.proc.state != "S" for c in containers):
        raise RuntimeError("not every container reached pause; the run is incomplete")
    spent = ledger.snapshot() - before
    layer = image[0]
    return DensityRun(count, [int(c.cgroup.read_file("memory.current")) for c in containers],
                      spent.total_cycles, lab.now_ns() - time0,
                      {name: n for name, n in spent.counts.items() if n},
                      sum(len(layer.read(p)) for p in layer.paths()), HOST_RAM)


@styled
def plot_density(run: DensityRun) -> Figure:
    """Plot: memory held and image storage needed, for 1..N containers."""
    fig, (top, bottom) = new_figure("column_tall", nrows=2)
    counts = list(range(1, run.count + 1))
    held = [sum(run.memory_bytes[:n]) / MIB for n in counts]
    top.bar(counts, held, color=LEVEL_COLORS["os"],
            label=f"memory.current, summed: {run.per_container / 1024:.0f} KiB each")
    top.set_ylabel("memory held (MiB)")
    top.set_xlabel("idle containers started")
    top.set_title(f"{run.count} idle containers: {sum(run.memory_bytes) / 1024:.0f} KiB "
                  f"of RAM;\n{run.fit_in_ram} would fit in the host's "
                  f"{run.host_ram // MIB} MiB")
    top.legend(loc="upper left", fontsize=9)
    image = run.image_bytes / MIB
    bottom.plot(counts, [image] * len(counts), color=LEVEL_COLORS["os"], lw=2, marker="o",
                label="layers shared by content")
    bottom.plot(counts, [image * n for n in counts], color=ROLE_COLORS["hardware"], lw=2,
                marker="s", ls="--", label="a copy per container")
    bottom.set_ylabel("image storage (MiB)")
    bottom.set_xlabel("containers of the image")
    bottom.set_title(f"The image ({image:.1f} MiB) stored once or N times")
    bottom.legend(loc="upper left", fontsize=9)
    for ax in (top, bottom):
        ax.set_xticks(counts if run.count <= 8 else counts[::3])
    return fig


def describe_density(run: DensityRun) -> str:
    """Says what the containers cost, in memory, time and cycles."""
    return (f"{run.count} container(s) started in {run.start_ns / 1e3:.0f} µs of guest "
            f"time and {run.start_cycles:,} modeled cycles "
            f"({run.start_cycles // run.count:,} each: {run.ledger_rows.get('syscall', 0)} "
            f"system calls, {run.ledger_rows.get('page_zero', 0)} zeroed pages, "
            f"{run.ledger_rows.get('context_switch', 0)} context switches in all). Each "
            f"idle container holds {run.per_container / 1024:.0f} KiB; the "
            f"{run.image_bytes / MIB:.1f} MiB image is stored once.")


def density_explorer(count: int = 4) -> Experiment:
    """The experiment: how many containers to start."""
    return Experiment(density_run, plot_density,
                      {"count": stepped_slider("Containers", COUNTS, count)},
                      describe=describe_density)
