"""Does the HLL VM's instruction budget bound wall time?  (wall clock: benchmark only)

``vlab.application.hll.work`` charges operations whose work grows with their operands
(comparing, searching, copying strings and lists) by that work.  The claim it documents
(``WALL_FACTOR``) is: no charged instruction costs more host time than ``WALL_FACTOR``
plain interpreted instructions, so a budget of N instructions ends within about
``WALL_FACTOR x N`` plain-instruction times.  This script measures, side by side in one
run, CPU time per charged instruction for each hostile operation of issue 16 (a loop that
repeats it on megabyte operands until a budget runs out) against a plain loop of integer
bytecode, and prints the ratio; the largest ratio must stay under ``WALL_FACTOR``.

    .venv/bin/python benchmarks/bench_hll_work.py [--budget N] [--repeat R]

Every time is CPU time of this process (``time.process_time``), the best of ``--repeat``.
"""

from __future__ import annotations

import argparse
import time

from vlab.application.hll.vm import VM
from vlab.application.hll.work import WALL_FACTOR

SETUP = """
s = "a" * 1000000
t = "a" * 1000000
u = "ab" * 500000
d = dict()
d[t] = 1
big = [0] * 1000000
other = [0] * 1000000
words = ["x" * 50000] * 40
x = [0]
y = [0]
for i in range(22):
    x = [x, x]
    y = [y, y]
n = 0
h = 2
for i in range(14):
    h = h * h
h = h * h
hq = h // 8
huge = h * hq - 1
"""
THRASH = """
keep = []
try:
    while True:
        keep.append([1])
except OutOfMemoryError:
    pass
keep.pop()
while True:
    try:
        z = [0]
    except OutOfMemoryError:
        pass
"""  # the heap kept full: every allocation collects (charged by gc.py)


OPERATIONS = {
    "plain integer loop": "n = n + 1",
    "s.count": 's.count("b")', "s.find (near miss)": 's.find("a" * 60 + "b")',
    "s.find (periodic)": 'u.find("ab" * 40 + "c")',
    "s.upper": "s.upper()", "s.replace": 's.replace("a", "c")', "slice": "s[1:]",
    "str in": '"b" in s', "str ==": "s == t", "str <": "s < t", "s.split": "u.split('b')",
    "str +": "s + t", "dict[str]": "d[s]", "list ==": "big == other",
    "list in": "1 in big", "list.count": "big.count(1)", "sorted(strings)": "sorted(words)",
    "repr(list)": "repr(big)", "list slice": "big[1:]", "shared lists ==": "x == y",
    "GC thrashing": THRASH, "int + (65,535 bits)": "huge + huge",
    "int // (65,535 / 32,769 bits)": "huge // (h + 1)", "int % (65,535 bits / 3)": "huge % 3",
    "int * (32,766 bits squared)": "hq * (hq - 1)",
}


def run_time(source: str, budget: int) -> tuple[float, int]:
    """CPU seconds and instructions of one run that ends when ``budget`` runs out."""
    heap = 4 * 2**20 if source is THRASH else 256 * 2**20
    vm = VM.from_source(source, "bench.py", heap_limit=heap, max_instructions=budget)
    start = time.process_time()
    result = vm.run()
    elapsed = time.process_time() - start
    assert result.status == "budget", (result.status, result.message)
    return elapsed, vm.rt.icount


def seconds_per_instruction(statement: str, budget: int, repeat: int) -> float:
    """The marginal cost: (time at 2 x budget - time at budget) / (instructions between),
    so the setup (building the operands) cancels out."""
    source = THRASH if statement is THRASH else SETUP + f"while True:\n    z = {statement}\n"
    best = float("inf")
    for _ in range(repeat):
        short, n_short = run_time(source, budget)
        long, n_long = run_time(source, 2 * budget)
        best = min(best, max(long - short, 0.0) / max(1, n_long - n_short))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    plain = seconds_per_instruction(OPERATIONS["plain integer loop"], args.budget,
                                    args.repeat)
    print(f"{'operation':<24} {'ns/instr':>9} {'x plain':>8}")
    worst = 0.0
    for name, statement in OPERATIONS.items():
        per = seconds_per_instruction(statement, args.budget, args.repeat)
        ratio = per / plain
        worst = max(worst, ratio)
        print(f"{name:<24} {per * 1e9:9.1f} {ratio:8.2f}")
    verdict = "within" if worst <= WALL_FACTOR else "OVER"
    print(f"worst ratio {worst:.2f}: {verdict} the documented WALL_FACTOR = {WALL_FACTOR}")


if __name__ == "__main__":
    main()
