"""The managed heap and the mark-sweep collector."""

from __future__ import annotations

import pytest

from vlab.application.hll.vm import VM

CHURN = """
class Node:
    def __init__(self, value, nxt):
        self.value = value
        self.next = nxt

def build(n):
    head = None
    for i in range(n):
        head = Node(i, head)
    return head

def length(node):
    n = 0
    while node is not None:
        n += 1
        node = node.next
    return n

keep = build(200)
for r in range(30):
    garbage = build(200)
print(length(keep), length(garbage))
"""


@pytest.mark.parametrize("jit", [False, True])
def test_collector_reclaims_garbage_and_keeps_live_data(jit):
    vm = VM.from_source(CHURN, heap_limit=40_000, jit=jit)
    result = vm.run()
    assert result.output == "200 200\n", result.message
    stats = result.stats
    assert stats["gc_collections"] >= 3
    assert stats["gc_objects_reclaimed"] > 1000
    assert stats["heap_peak"] <= 40_000
    assert stats["bytes_allocated"] > 4 * 40_000  # far more allocated than the heap holds
    timeline = vm.collector.stats.timeline
    assert all(e.used_after < e.used_before for e in timeline)
    assert all(e.pause_cycles > 0 for e in timeline)
    # the live set after each collection holds at least the 200 kept nodes
    assert all(e.live_objects >= 200 for e in timeline)


def test_out_of_memory_is_a_catchable_guest_exception():
    source = """
hoard = []
try:
    while True:
        hoard.append([0, 0, 0, 0])
except OutOfMemoryError as e:
    n = len(hoard)
    hoard = None
    print("caught", n > 100)
after = [1, 2, 3]
print("recovered", after)
"""
    result = VM.from_source(source, heap_limit=50_000).run()
    assert result.status == "ok", result.message
    assert result.output == "caught True\nrecovered [1, 2, 3]\n"


def test_uncaught_out_of_memory_reports_the_limit():
    result = VM.from_source("xs = []\nwhile True:\n    xs.append(xs)\n",
                            heap_limit=10_000).run()
    assert result.status == "exception"
    assert result.message.startswith("OutOfMemoryError: heap limit of 10000 bytes")


def test_same_program_different_heaps():
    small = VM.from_source(CHURN, heap_limit=30_000).run()
    large = VM.from_source(CHURN, heap_limit=10_000_000).run()
    assert small.output == large.output
    assert small.stats["gc_collections"] > 0 == large.stats["gc_collections"]


def test_objects_referenced_only_from_compiled_code_survive_collection():
    source = """
def work(n):
    mine = [n, n, n]
    junk = 0
    for i in range(300):
        junk = [i, i, i, i, i, i]
    return mine[0] + len(junk)

total = 0
for k in range(20):
    total += work(k)
print(total)
"""
    vm = VM.from_source(source, heap_limit=3_000, jit=True, jit_threshold=1)
    result = vm.run()
    assert result.status == "ok" and result.output == f"{sum(range(20)) + 20 * 6}\n"
    assert result.stats["gc_collections"] > 0
    assert "work" in " ".join(vm.jit.compiled)
