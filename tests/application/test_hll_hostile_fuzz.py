"""Issue 16: a bounded fuzz suite for HLL source and class files.

Seeded generators (so every run tries the same inputs and a failure reproduces) build
hostile programs from fragments (big strings and lists, shared structure, deep recursion,
exceptions, file access, output floods) and mutate their source text and class files.
Every input must end in a promised outcome: a compile error or rejected class (2), or a
run that ends normally (0), with a guest exception (1) or with its budget exhausted (3),
never an internal error (4, a host exception), and:

* **time**: within the documented factor of its budget (``work.WALL_FACTOR``) times a
  deliberately generous 10 us per plain instruction (the reference machine takes about
  0.2 us), plus a fixed allowance for compiling and loading: a safety net against
  unbounded work, not a speed claim (speed is measured in ``benchmarks/bench_hll_work.py``);
* **memory**: the VM's peak host allocation (``tracemalloc``) stays under
  :data:`MEMORY_FACTOR` times its heap limit plus :data:`MEMORY_BASE` (the VM, its classes,
  the JIT's code): every byte a guest can keep live is charged to the heap, at a modeled
  size that is at least an eighth of the host's.
"""

from __future__ import annotations

import random
import time
import tracemalloc

import pytest

from vlab.application.hll.classfile import write
from vlab.application.hll.compiler import compile_source
from vlab.application.hll.errors import CompileError
from vlab.application.hll.host import MemoryHost
from vlab.application.hll.loader import MemoryEntry
from vlab.application.hll.policy import Policy
from vlab.application.hll.vm import VM
from vlab.application.hll.work import WALL_FACTOR

BUDGET = 20_000
HEAP = 2 * 2**20
SECONDS_PER_INSTRUCTION = 10e-6  # generous: 50x the reference machine
FIXED_SECONDS = 2.0  # compiling, verifying, loading
MEMORY_FACTOR = 8  # guest objects are modeled as a JVM's (16 + 8 per field): Python's are
# bigger (an instance and its __dict__); a heap full of one-field objects is ~6x in the host
MEMORY_BASE = 4 * 2**20
CASES = 150

FRAGMENTS = [
    's = "a" * {n}\nt = s + s\nx = t.count("b") + t.find("b")\n',
    's = "ab" * {n}\nx = s.replace("a", "xyz").upper().split("b")\n',
    'keep = []\nfor i in range({k}):\n    keep.append("k" * {n} + str(i))\n',
    'x = [0]\ny = [0]\nfor i in range({d}):\n    x = [x, x]\n    y = [y, y]\nz = x == y\n',
    'x = [1] * {n}\ny = [1] * {n}\nz = x == y and 2 in x and x.count(1) > 0\n',
    'def r(n):\n    return r(n + 1) + 1\nr(0)\n',
    'x = repr([[1, "a"] * {k}] * {k})\n',
    'print("p" * {n})\n',
    'write_text("/out/f.txt", "w" * {n})\nx = read_text("/out/f.txt")\n',
    'x = read_text("/etc/passwd")\n',
    'x = list_dir("/")\n',
    'd = dict()\nfor i in range({k}):\n    d["key" * {k} + str(i)] = i\nz = "key" in d\n',
    'x = sorted(["z" * {k}, "y" * {k}] * {k})\n',
    'class A:\n    def __init__(self, v):\n        self.v = v\nz = []\n'
    'for i in range({k}):\n    z.append(A("€" * {k}))\n',
    'z = []\nfor c in "€😀" * {n}:\n    z.append(c)\n',
    'class B:\n    def __init__(self):\n        self.v = 1\nz = []\nwhile True:\n'
    '    z.append(B())\n',
    'h = 2\nfor i in range(15):\n    h = h * h\nz = []\nfor i in range({n}):\n'
    '    z.append(h + i)\n',
    'try:\n    raise ValueError("v" * {n})\nexcept ValueError as e:\n    x = str(e)\n',
    'n = 1\nfor i in range({k}):\n    n = n * 1000003\n',
    'while True:\n    pass\n',
    'x = "é€😀" * {n}\nwrite_text("/out/u.txt", x)\n',
]


def hostile_program(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 4)):
        fragment = rng.choice(FRAGMENTS)
        parts.append(fragment.format(n=rng.choice([1, 100, 10**4, 10**6, 10**7]),
                                     k=rng.choice([1, 10, 300, 3000]),
                                     d=rng.choice([3, 20, 40])))
    source = "".join(parts)
    if rng.random() < 0.3:  # mutate the text: most mutants are compile errors
        chars = list(source)
        for _ in range(rng.randint(1, 5)):
            chars[rng.randrange(len(chars))] = rng.choice(":()[]\"'\\ \n\t=+*#xé\udc80\x00")
        source = "".join(chars)
    return source


def bounded_run(build) -> tuple[str, float, int]:
    """Run ``build()``'s VM; return (status, seconds, peak bytes allocated)."""
    tracemalloc.start()
    start = time.process_time()
    try:
        vm = build()
        status = vm.run().status
    except CompileError:
        status = "rejected"
    finally:
        seconds = time.process_time() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return status, seconds, peak


def check(status: str, seconds: float, peak: int, what: str) -> None:
    assert status in ("ok", "exception", "rejected", "budget"), what
    assert seconds <= FIXED_SECONDS + WALL_FACTOR * BUDGET * SECONDS_PER_INSTRUCTION, what
    assert peak <= MEMORY_FACTOR * HEAP + MEMORY_BASE, (what, peak)


@pytest.mark.parametrize("case", range(CASES))
def test_hostile_sources_end_in_a_promised_outcome(case):
    rng = random.Random(1600 + case)
    source = hostile_program(rng)
    host = MemoryHost({"/etc/passwd": b"root:x:0:0\n"})
    policy = Policy(read_paths=("/out", "/etc"), write_paths=("/out",))
    jit = rng.random() < 0.5
    collector = rng.choice(["mark-sweep", "generational"])

    def build():
        return VM.from_source(source, "fuzz.py", heap_limit=HEAP, max_instructions=BUDGET,
                              jit=jit, jit_threshold=1, host=host, policy=policy,
                              collector=collector, max_output=2**20, max_write=2**20)

    check(*bounded_run(build), f"case {case}: {source[:300]!r}")


BASE = compile_source("""
class Node:
    def __init__(self, value, rest):
        self.value = value
        self.rest = rest

def build(n):
    chain = None
    for i in range(n):
        chain = Node("v" * 1000 + str(i), chain)
    return chain

def total(chain):
    n = 0
    while chain is not None:
        n = n + len(chain.value)
        chain = chain.rest
    return n

words = ["w" * 10000] * 100
print(total(build(500)), sorted(words) == words, "x" in "y" * 100000)
""", "base.py")
CLASSES = {cf.name: write(cf) for cf in BASE}


@pytest.mark.parametrize("case", range(CASES))
def test_mutated_class_files_end_in_a_promised_outcome(case):
    rng = random.Random(9160 + case)
    name = rng.choice(sorted(CLASSES))
    data = bytearray(CLASSES[name])
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    classes = dict(CLASSES, **{name: bytes(data)})

    def build():
        return VM(MemoryEntry(classes), heap_limit=HEAP, max_instructions=BUDGET,
                  jit=rng.random() < 0.5, jit_threshold=1)

    status, seconds, peak = bounded_run(lambda: _run_main(build()))
    check(status, seconds, peak, f"case {case}: {name} mutated")


class _run_main:
    """A VM whose ``run`` runs the module ``base`` (the class path holds several)."""

    def __init__(self, vm):
        self.vm = vm

    def run(self):
        return self.vm.run("base")
