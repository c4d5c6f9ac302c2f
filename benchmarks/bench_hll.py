"""Benchmark: the HLL VM's interpreter vs its JIT vs CPython, on the same source, in one run.

CPU-bound programs (recursion, loops over lists, method calls on objects).  Each program
calls its work function several times so the JIT (entry at next call) takes over after
the first calls.  Wall-clock times are measured here and only here; the ratios are what
matter: JIT speedup over the interpreter (target >= 5x) and how far both are from CPython
running the very same source (the physical limit of a VM written in Python).

Run: ``.venv/bin/python benchmarks/bench_hll.py [--repeat N]``
"""

from __future__ import annotations

import argparse
import contextlib
import io
import time

from vlab.application.hll.vm import VM

PROGRAMS = {
    "fib (recursion)": """
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

for i in range(3):
    print(fib(20))
""",
    "list loops": """
def make(n):
    xs = []
    for i in range(n):
        xs.append(i % 97)
    return xs

def score(xs):
    total = 0
    for x in xs:
        if x % 3 == 0:
            total += x * 2
        else:
            total -= x
    return total

data = make(600)
for i in range(60):
    print(score(data))
""",
    "method calls": """
class Particle:
    def __init__(self, x, v):
        self.x = x
        self.v = v

    def step(self, dt):
        self.x = self.x + self.v * dt
        if self.x > 1000 or self.x < 0:
            self.v = -self.v

    def energy(self):
        return self.v * self.v

def simulate(ps, steps):
    for s in range(steps):
        for p in ps:
            p.step(1)
    total = 0
    for p in ps:
        total += p.energy()
    return total

ps = []
for i in range(50):
    ps.append(Particle(i * 10, i % 7 - 3))
for r in range(40):
    print(simulate(ps, 10))
""",
}


def run_cpython(source: str) -> tuple[float, str]:
    out = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<bench>", "exec"), {"__name__": "__main__"})
    return time.perf_counter() - start, out.getvalue()


def run_vm(source: str, jit: bool) -> tuple[float, str, dict]:
    vm = VM.from_source(source, "bench.py", jit=jit, max_instructions=10**9)
    start = time.perf_counter()
    result = vm.run()
    elapsed = time.perf_counter() - start
    if result.status != "ok":
        raise SystemExit(f"benchmark program failed: {result.message}")
    return elapsed, result.output, result.stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    args = parser.parse_args()
    print(f"{'program':<18} {'CPython':>9} {'interp':>9} {'JIT':>9} "
          f"{'JIT/interp':>11} {'interp/CPy':>11} {'JIT/CPy':>9}")
    for name, source in PROGRAMS.items():
        cpy, expected = min(run_cpython(source) for _ in range(args.repeat))
        interp = min(run_vm(source, jit=False) for _ in range(args.repeat))
        jit = min(run_vm(source, jit=True) for _ in range(args.repeat))
        assert interp[1] == expected and jit[1] == expected, f"{name}: outputs differ"
        assert interp[2]["instructions"] == jit[2]["instructions"]
        print(f"{name:<18} {cpy * 1e3:8.1f}ms {interp[0] * 1e3:8.1f}ms {jit[0] * 1e3:8.1f}ms "
              f"{interp[0] / jit[0]:10.1f}x {interp[0] / cpy:10.1f}x {jit[0] / cpy:8.1f}x")
    print("(same source, same output; guest instructions identical in both VM modes)")


if __name__ == "__main__":
    main()
