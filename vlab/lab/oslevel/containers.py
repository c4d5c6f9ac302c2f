"""Containers for the chapter's experiments: several on one booted kernel.

A thin layer over the container runtime's kernel side
(:class:`vlab.os.container.kernelrun.Host`): one machine, one kernel, a host ``init``
that reaps, and containers made as runc makes them (a cgroup with its limits, new
PID/mount/UTS/IPC/network namespaces, an overlay root over the image's layers,
``pivot_root``).  What this module adds is only what an experiment needs:

* the image: two read-only layers (:func:`default_image`), the chapter's programs
  (:func:`tools_layer`) over the userland (:func:`userland_layer`), shared by every
  container (:mod:`vlab.lab.oslevel.system`);
* :class:`Lab`: a host whose root cgroup delegates the ``cpu``, ``memory`` and ``pids``
  controllers to the runtime's ``vlab`` cgroup (what systemd does for docker: write
  ``+cpu +memory +pids`` to ``cgroup.subtree_control``), and ``start(name, argv, ...)``
  that builds the :class:`~vlab.os.container.launch.LaunchPlan` and keeps the
  container's output.

Deterministic: a container's output, pids and numbers depend only on what was started.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

from vlab.lab.oslevel.system import tool_files, userland
from vlab.os.container.kernelrun import Host
from vlab.os.container.launch import LaunchPlan
from vlab.os.container.process import ProcessConfig
from vlab.os.fs import ImageLayer, WritableLayer

CONTROLLERS = "+cpu +memory +pids"
PATH = "PATH=/bin:/sbin"


@functools.cache
def userland_layer() -> ImageLayer:
    """A layer with the userland: the shell and the commands."""
    return ImageLayer(userland(), name="userland")


@functools.cache
def tools_layer() -> ImageLayer:
    """A layer with the chapter's programs (nsrun, hog, pause, spin)."""
    return ImageLayer(tool_files(), name="tools")


def default_image() -> list[ImageLayer]:
    """The experiments' image, topmost layer first: the tools over the userland."""
    return [tools_layer(), userland_layer()]


@dataclass
class Container:
    """One started container: its name, the kernel's record of it, what it printed."""

    name: str
    run: object            # kernelrun.ContainerRun: .proc (PID 1), .cgroup, .ns
    output: io.BytesIO
    upper: WritableLayer   # the container's writable layer (its writes land here)

    @property
    def text(self) -> str:
        return self.output.getvalue().decode("utf-8", "replace")

    @property
    def cgroup(self):
        return self.run.cgroup

    def stat(self, file: str) -> dict[str, int]:
        """A flat-keyed cgroup file (``cpu.stat``, ``memory.events``) as numbers."""
        rows = (line.split() for line in self.cgroup.read_file(file).splitlines())
        return {key: int(value) for key, value in rows}


class Lab:
    """A booted host on which the experiment starts containers."""

    def __init__(self) -> None:
        self.host = Host()
        self.kernel, self.machine = self.host.kernel, self.host.machine
        for cgroup in (self.host.root_cgroup, self.host.vlab_cgroup):
            cgroup.write_file("cgroup.subtree_control", CONTROLLERS)
        self.containers: dict[str, Container] = {}

    def start(self, name: str, argv: list[str], *, limits: dict[str, str] | None = None,
              hostname: str | None = None, budget: int = 50_000_000,
              image: ImageLayer | list | None = None) -> Container:
        """A container called ``name`` (also its default hostname) running ``argv`` from
        ``image``: one layer, or a list of layers topmost first (by default
        :func:`default_image`).  Its writable layer is ``container.upper``."""
        output = io.BytesIO()
        if image is None:
            lowers = default_image()
        else:
            lowers = list(image) if isinstance(image, list | tuple) else [image]
        upper = WritableLayer(f"upper {name}")
        plan = LaunchPlan((name + "-" * 12)[:12], lowers, upper,
                          ProcessConfig(list(argv), env=[PATH], hostname=hostname or name),
                          limits=dict(limits or {}), budget=budget, stdout=output,
                          stderr=output)
        container = Container(name, self.host.start(plan), output, upper)
        self.containers[name] = container
        return container

    def run(self, instructions: int):
        """Run the machine for at most ``instructions`` more (it stops earlier when every
        process has ended or none can run again); the machine's result."""
        return self.machine.run(max_instructions=instructions)

    def now_ns(self) -> int:
        """Guest time since boot (from the instruction count, plus idle time)."""
        return self.kernel.now_ns()
