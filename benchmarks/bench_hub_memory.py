"""Benchmark: memory and CPU of one student's server running each chapter, and students per node.

A student's server on the course hub is two kinds of process: the Jupyter server
(``jupyterhub-singleuser``, with JupyterLab and nbgrader's extensions) and one kernel
per open notebook.  This script measures both, in one run, on this machine:

1. **the server**: a local course hub (``tools/hub.py``) starts one student's
   server; its resident memory (RSS) is read once it is ready and idle;
2. **each chapter**: ``book/chapters/NN-*.ipynb`` is executed top to bottom in a
   fresh kernel (vlab's executor, :mod:`vlab.course.execute`) while a sampler reads,
   every 50 ms, the RSS of the kernel and of everything it starts (the C compiler,
   for instance).  Peak RSS and CPU seconds (user + system, the kernel's and its
   reaped children's) are reported, and the wall-clock time.

One student's server running a chapter then needs ``server + kernel peak``.  The node
estimate follows Kubernetes' scheduling rule (a pod is placed where its memory
*request* fits; Zero to JupyterHub's ``singleuser.memory.guarantee`` is that request)
with ``NODE_RESERVED`` kept for the node's own system pods and the kubelet:

* memory-bound students = (node memory - reserved) / (server + heaviest chapter peak);
* CPU: a kernel is one Python process, so it keeps at most one core busy while a
  chapter runs; a node runs ``cores`` chapters at once at full speed, and
  ``cores x 3600 / CPU seconds`` runs of the costliest chapter per hour.

Most of a class reads and thinks between cells: the memory bound is the number of
servers a node holds; the CPU figures say how many can press "run all" at the same
moment, and how many full runs an hour the node's cores can serve.  CPU and wall-clock
figures depend on this machine (and on anything else running on it, which lowers the
"cores busy" column); memory figures much less.

Run: ``.venv/bin/python benchmarks/bench_hub_memory.py [--chapters 01 02] [--node-gib 24]
[--node-cores 2]`` (needs ``make hub``'s pieces: ``npm ci`` for the proxy).
"""

from __future__ import annotations

import argparse
import importlib.util
import secrets
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil

from vlab.course.execute import execute_notebook

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "book" / "chapters"
MIB = 1024 * 1024
GIB = 1024 * MIB
NODE_RESERVED = 2 * GIB  # system pods, kubelet, the hub and proxy pods share the first node
SAMPLE_SECONDS = 0.05
HUB_PORT = 18650  # the measuring hub's port (+1, +2), away from `make hub`'s 8000


@dataclass
class Usage:
    peak_rss: int = 0  # bytes
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0


class TreeSampler(threading.Thread):
    """Samples the processes started by this one (kernels and their children)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.me = psutil.Process()
        self.usage = Usage()
        self.cpu_by_pid: dict[int, float] = {}
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            total = 0
            for process in self.me.children(recursive=True):
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    continue
            # CPU: the kernels' own time and that of the children they reaped (the compiler).
            for process in self.me.children(recursive=False):
                try:
                    times = process.cpu_times()
                    self.cpu_by_pid[process.pid] = (times.user + times.system
                                                    + times.children_user + times.children_system)
                except psutil.Error:
                    continue
            self.usage.peak_rss = max(self.usage.peak_rss, total)
            time.sleep(SAMPLE_SECONDS)

    def stop(self) -> Usage:
        self.stopping.set()
        self.join()
        self.usage.cpu_seconds = sum(self.cpu_by_pid.values())
        return self.usage


def chapter_usage(path: Path) -> Usage:
    """Run one chapter in a fresh kernel; the kernel's peak memory and CPU time."""
    notebook = nbformat.read(path, as_version=4)
    sampler = TreeSampler()
    sampler.start()
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            execute_notebook(notebook, cwd=scratch)
    finally:
        usage = sampler.stop()
    usage.wall_seconds = time.perf_counter() - started
    return usage


def idle_server_rss() -> int:
    """RSS of one student's idle ``jupyterhub-singleuser`` on a local course hub."""
    spec = importlib.util.spec_from_file_location("vlab_tools_hub", ROOT / "tools" / "hub.py")
    tools_hub = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = tools_hub
    spec.loader.exec_module(tools_hub)
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory() as state:
        hub = tools_hub.LocalHub(Path(state), HUB_PORT, students=("student",), service_token=token)
        hub.start()
        try:
            _hub_api(hub, token, "POST", "/users/student/server")
            deadline = time.monotonic() + 120
            while not _hub_api(hub, token, "GET", "/users/student")["servers"].get(
                    "", {}).get("ready"):
                if time.monotonic() > deadline:
                    raise TimeoutError("the student's server did not start within 120 s")
                time.sleep(0.5)
            time.sleep(3)  # let start-up work settle
            home = (hub.state / "home" / "student").resolve()
            return sum(process.memory_info().rss for process in psutil.process_iter(["cmdline"])
                       if _is_server_in(process, home))
        finally:
            hub.stop()


def _is_server_in(process: psutil.Process, home: Path) -> bool:
    try:
        command = " ".join(process.info["cmdline"] or [])
        return "jupyterhub-singleuser" in command and Path(process.cwd()) == home
    except psutil.Error:
        return False


def _hub_api(hub, token: str, method: str, path: str):
    import json

    request = urllib.request.Request(f"{hub.url}/hub/api{path}", method=method,
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        text = response.read()
    return json.loads(text) if text else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapters", nargs="*", default=None,
                        help="chapter numbers (default: every chapter)")
    parser.add_argument("--node-gib", type=float, default=24.0, help="node memory in GiB")
    parser.add_argument("--node-cores", type=float, default=2.0, help="node CPU cores")
    args = parser.parse_args(argv)
    chapters = sorted(CHAPTERS.glob("[0-9][0-9]-*.ipynb"))
    if args.chapters:
        chapters = [path for path in chapters if path.name[:2] in args.chapters]

    server = idle_server_rss()
    print(f"idle student server (jupyterhub-singleuser): {server / MIB:7.0f} MiB RSS\n")
    print(f"{'chapter':<34} {'kernel peak':>12} {'server+kernel':>14} {'CPU s':>7} "
          f"{'wall s':>7} {'cores busy':>10}")
    heaviest, costliest = 0, 0.0
    for path in chapters:
        usage = chapter_usage(path)
        busy = usage.cpu_seconds / usage.wall_seconds if usage.wall_seconds else 0.0
        heaviest, costliest = max(heaviest, usage.peak_rss), max(costliest, usage.cpu_seconds)
        both = (server + usage.peak_rss) / MIB
        print(f"{path.stem:<34} {usage.peak_rss / MIB:8.0f} MiB {both:10.0f} MiB "
              f"{usage.cpu_seconds:7.1f} {usage.wall_seconds:7.1f} {busy:10.2f}  (wall-clock)")

    per_student = server + heaviest
    usable = args.node_gib * GIB - NODE_RESERVED
    print(f"\none student server at its heaviest chapter: {per_student / MIB:.0f} MiB")
    print(f"node {args.node_gib:g} GiB / {args.node_cores:g} cores, "
          f"{NODE_RESERVED / GIB:g} GiB reserved for the system:")
    print(f"  student servers that fit by memory:     {int(usable // per_student)}")
    print(f"  chapters running at once at full speed: {args.node_cores:g}"
          "  (a kernel is one Python process: at most one core)")
    if costliest:
        print(f"  runs of the costliest chapter per hour: {args.node_cores * 3600 / costliest:.0f}"
              f"  ({costliest:.1f} CPU s each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
