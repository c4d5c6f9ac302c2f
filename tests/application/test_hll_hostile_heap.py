"""Issue 16, item 1: strings count against the heap limit (they used to bypass it).

The attack: 150 strings of 16 MB under the default 16 MiB heap reached 2.4 GB of host memory
while ``--stats`` said ``heap_used: 1248``.  Scaled down: a 16 MiB heap, 1 MB strings.
"""

from __future__ import annotations

import sys

import pytest

from vlab.application.hll.host import MemoryHost
from vlab.application.hll.policy import Policy
from vlab.application.hll.vm import VM

MODES = pytest.mark.parametrize("jit", [False, True], ids=["interpreter", "jit"])
COLLECTORS = pytest.mark.parametrize("collector", ["mark-sweep", "generational"])
HEAP = 16 * 2**20


def run(source, **options):
    vm = VM.from_source(source, "hostile.py", jit_threshold=1, **options)
    return vm, vm.run()


KEPT_STRINGS = """
keep = []
for i in range(40):
    keep.append({make})
print(len(keep))
"""
MAKERS = {
    "repeat": '"x" * 1000000 + str(i)',
    "concatenate": '"y" * 500000 + "z" * 500001',
    "upper": '("q" * 1000000).upper()',
    "replace": '("ab" * 500000).replace("a", "c")',
    "join": '"-".join(["abcdefghijklmnopqrst"] * 50000)',
    "slice": '("w" * 2000000)[i:1000000 + i]',
    "repr": 'repr([123456789] * 100000)',
}


@MODES
@COLLECTORS
@pytest.mark.parametrize("make", sorted(MAKERS))
def test_kept_strings_exhaust_the_heap(make, collector, jit):
    vm, result = run(KEPT_STRINGS.format(make=MAKERS[make]), heap_limit=HEAP,
                     collector=collector, jit=jit)
    assert result.status == "exception", result.output
    assert result.message.startswith("OutOfMemoryError")
    assert vm.heap.used <= HEAP
    assert vm.heap.value_bytes > HEAP // 2  # the strings are what fills it


@MODES
@COLLECTORS
def test_strings_no_longer_reachable_are_reclaimed(collector, jit):
    source = """
total = 0
for i in range(100):
    s = "y" * 1000000 + str(i)
    total = total + len(s.upper())
print(total)
"""
    vm, result = run(source, heap_limit=HEAP, collector=collector, jit=jit)
    assert result.status == "ok", result.message
    assert result.output == "100000190\n"
    assert vm.collector.stats.collections > 0
    assert vm.heap.stats.bytes_allocated > 100 * 10**6  # every string was charged
    assert vm.heap.used <= HEAP


def test_heap_statistics_count_live_strings():
    vm, result = run('s = "x" * 1000000\nprint(len(s))\n', heap_limit=HEAP)
    assert result.status == "ok"
    assert vm.heap.value_bytes >= sys.getsizeof("x" * 1000000)
    assert result.stats["heap_used"] >= 1000000


def test_read_text_is_charged_and_capped_by_the_heap():
    big = b"a" * (2 * 2**20)
    host = MemoryHost({"/data/big.txt": big, "/data/small.txt": b"b" * 300000})
    policy = Policy(read_paths=("/data",))
    source = """
keep = []
try:
    keep.append(read_text("/data/big.txt"))
except OutOfMemoryError as e:
    print("big:", e)
for i in range(10):
    keep.append(read_text("/data/small.txt"))
"""
    vm, result = run(source, heap_limit=2**20, host=host, policy=policy)
    assert result.output.startswith("big: /data/big.txt holds 2097152 bytes, more than the")
    assert result.status == "exception" and "OutOfMemoryError" in result.message


@pytest.mark.parametrize("heap", [0, 1, -1, 1023])
def test_a_heap_too_small_is_a_clear_error(heap):
    with pytest.raises(ValueError, match="too small: give at least 1024 bytes"):
        VM.from_source("print(1)\n", heap_limit=heap)


@MODES
@pytest.mark.parametrize("take", ["s[i]", "c"])
def test_characters_taken_out_of_a_string_are_charged(take, jit):
    """CPython makes a new 76-byte object for every character beyond Latin-1 taken out of a
    string; a list of them must not hold ten times its charged size."""
    source = f"""
s = "€" * 200000
keep = []
i = 0
for c in s:
    keep.append({take})
    i = i + 1
"""
    vm, result = run(source, heap_limit=4 * 2**20, jit=jit)
    assert result.status == "exception" and "OutOfMemoryError" in result.message
    assert vm.heap.value_bytes > 2**20


@MODES
def test_indexing_strings_keeps_python_semantics(jit):
    source = ('s = "aé€😀"\nchars = []\nfor c in s:\n    chars.append(c)\n'
              'print(s[0], s[1], s[2], s[3], s[-1], chars, s[1:3])\n')
    _, result = run(source, jit=jit)
    assert result.output == "a é € 😀 😀 ['a', 'é', '€', '😀'] é€\n"


BIG_INT_BOMBS = {
    "add": "keep.append(h + i)",
    "sub": "keep.append(h - i)",
    "negate": "keep.append(-h)",
    "multiply": "keep.append(h * 3)",
    "range": "keep.append(i)",
}


@MODES
@pytest.mark.parametrize("bomb", sorted(BIG_INT_BOMBS))
def test_big_integers_are_charged_to_the_heap(bomb, jit):
    """One 32,769-bit integer is 4 KB of host memory in an 8-byte list slot: a list of them
    held 500 times its charged size."""
    source = f"""
h = 2
for i in range(15):
    h = h * h
keep = []
numbers = range(1000000)
if "{bomb}" == "range":
    numbers = range(h, h + 1000000)
for i in numbers:
    {BIG_INT_BOMBS[bomb]}
"""
    vm, result = run(source, heap_limit=4 * 2**20, jit=jit)
    assert result.status == "exception" and "OutOfMemoryError" in result.message
    assert vm.heap.value_bytes > 3 * 2**20
    assert len(vm.heap.objects) < 100


@MODES
def test_big_integer_arithmetic_is_exact(jit):
    source = """
def grow(x, n):
    for i in range(n):
        x = x + x - 1 + 1
    return -x
print(grow(1, 600), (grow(1, 700) * 3) // 7 % 1000003)
"""
    _, result = run(source, jit=jit)
    assert result.output == f"{-(2 ** 600)} {(-(2 ** 700) * 3) // 7 % 1000003}\n"
