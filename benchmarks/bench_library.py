"""Library-level virtualization: what interposing on calls costs, side by side.

Three tables, each printed with its ratio to the plain case:

1. ``config_clock`` (static musl): plain, with preloaded hooks (redirect + fake clock),
   under the ltrace-like tracer -- modeled cycles (the ledger, vlab/host/costs.py:
   ``lib_hook_call`` 20, ``lib_trace_stop`` 12,000) and the CPU time of this Python
   process (a measurement of the simulator: breakpoints make the machine single-step);
2. ``hello_dyn`` (dynamically linked): eager binding (LD_BIND_NOW), lazy binding, every
   call traced through the PLT -- modeled cycles (``dl_lookup`` 400) and CPU time;
3. the accelerator workload over the three paths (native, VM channel, network) for a
   small and a large saxpy and matmul -- modeled cycles and their ratio to native
   (vCUDA: Shi et al. 2009; rCUDA: Duato et al. 2010).

    .venv/bin/python benchmarks/bench_library.py [--repeat N]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from vlab.isa.runtime.driver import compile_c
from vlab.library.accel.workload import run_workload
from vlab.library.dynload.build import build_examples
from vlab.library.dynload.run import run_dynamic
from vlab.library.interpose.hooks import FakeClock, RedirectPath
from vlab.library.interpose.session import Session
from vlab.library.interpose.signatures import PROTOTYPES
from vlab.os.boot import run_program

LIBRARY = Path(__file__).resolve().parents[1] / "vlab" / "library"


def timed(run, repeat):
    best, result = None, None
    for _ in range(repeat):
        start = time.process_time()
        result = run()
        elapsed = time.process_time() - start
        best = elapsed if best is None else min(best, elapsed)
    return result, best


def table(title, rows):
    print(f"\n{title}")
    print(f"{'case':<28}{'modeled cycles':>16}{'ratio':>8}{'CPU s':>9}{'ratio':>8}")
    base_cycles, base_cpu = rows[0][1], rows[0][2]
    for name, cycles, cpu in rows:
        cpu_text = f"{cpu:9.3f}{cpu / base_cpu:7.2f}x" if cpu is not None else ""
        print(f"{name:<28}{cycles:>16,.0f}{cycles / base_cycles:7.2f}x{cpu_text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "config.txt").write_text("colour=blue\n")
        (root / "other.txt").write_text("colour=red\n")
        prog = compile_c([LIBRARY / "programs" / "config_clock.c"], root / "prog",
                         libc="musl")
        hooks = [RedirectPath("config.txt", "other.txt"), FakeClock(0)]
        rows = []
        done, cpu = timed(lambda: run_program(prog, root=root), repeat)
        rows.append(("plain", done.booted.machine.ledger.total_cycles, cpu))
        s, cpu = timed(lambda: Session(prog, root=root, hooks=hooks, trace=False).run(),
                       repeat)
        rows.append(("preloaded hooks", s.machine.ledger.total_cycles, cpu))
        s, cpu = timed(lambda: Session(prog, root=root, functions=PROTOTYPES,
                                       trace=True).run(), repeat)
        rows.append(("ltrace-like tracer", s.machine.ledger.total_cycles, cpu))
        table("config_clock (static musl): interposition", rows)

        dyn = build_examples(root / "dyn")
        lib = [root / "dyn" / "lib"]
        rows = []
        for name, kwargs in (("eager binding", dict(lazy=False)),
                             ("lazy binding", dict(lazy=True)),
                             ("every PLT call traced", dict(trace=True))):
            run, cpu = timed(lambda kw=kwargs: run_dynamic(dyn["hello_dyn"], lib, **kw),
                             repeat)
            rows.append((name, run.ledger.total_cycles, cpu))
        table("hello_dyn (dynamically linked): binding", rows)

    for kernel, n in (("saxpy", 1024), ("saxpy", 1 << 20), ("matmul", 32), ("matmul", 512)):
        rows = [(f"{kernel} {n} {path}", run_workload(kernel, n, path, 20).cycles, None)
                for path in ("native", "vm", "network")]
        table(f"{kernel} n={n}, 20 launches: API remoting", rows)


if __name__ == "__main__":
    main()
