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


BARRIER = """
class Node:
    def __init__(self, value):
        self.value = value
        self.next = None

def churn(n):
    junk = None
    for i in range(n):
        junk = [i, i, i]
    return junk

keep = []
holder = Node(-1)
churn(400)
for i in range(60):
    keep.append(Node(i))
    keep[0] = Node(100 + i)
    holder.next = Node(i)
    churn(40)
total = 0
for node in keep:
    total += node.value
print(total, holder.next.value)
"""


@pytest.mark.parametrize("jit", [False, True])
def test_generational_collector_with_write_barrier(jit):
    vm = VM.from_source(BARRIER, "g.py", heap_limit=2_000_000, jit=jit, jit_threshold=1,
                        collector="generational", nursery=3_000)
    result = vm.run()
    assert result.status == "ok", result.message
    assert result.output == f"{sum(range(1, 60)) + 159} 59\n"
    gc = vm.collector
    assert gc.minor_collections > 10 and gc.major_collections == 0
    assert {e.kind for e in gc.stats.timeline} == {"minor"}
    # every object the program can still reach is still in the heap's registry: the
    # barrier recorded the old 'keep' list and 'holder' when young nodes were stored
    registry = {id(o) for o in vm.heap.old + vm.heap.objects}
    module = vm.load("g").statics
    reachable = [module["keep"], module["holder"], module["holder"].next, *module["keep"]]
    assert all(id(o) in registry for o in reachable)
    # minor pauses are cheaper than a full mark-sweep of the same heap would be
    full = VM.from_source(BARRIER, "g.py", heap_limit=2_000_000).run()
    assert full.stats["gc_collections"] == 0  # never filled the heap: no full GC needed


def test_generational_falls_back_to_major_collections_when_full():
    vm = VM.from_source(CHURN, heap_limit=40_000, collector="generational", nursery=8_000)
    result = vm.run()
    assert result.output == "200 200\n", result.message
    assert vm.collector.minor_collections > 0
    kinds = [e.kind for e in vm.collector.stats.timeline]
    assert "minor" in kinds
