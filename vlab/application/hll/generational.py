"""A two-generation collector: frequent minor collections of a nursery, rare major ones.

The weak generational hypothesis (most objects die young; Ungar, "Generation Scavenging",
1984; Jones, Hosking & Moss, *The Garbage Collection Handbook*, 2011, ch. 9): new objects
are allocated in a *nursery*; when it holds ``nursery`` bytes a **minor** collection
traces only young objects and promotes every survivor to the old generation (en-masse
promotion), so its cost is proportional to the survivors, not to the whole heap.  Old
objects are not traced by a minor collection, so a young object reachable only from an
old one would be missed: every store into an old object goes through a **write barrier**
that records the old object in the *remembered set* (object remembering, Handbook
sec. 11.4), whose contents are extra roots for the next minor collection.  When the heap
is still too full after a minor collection, a **major** collection marks and sweeps
everything (the plain mark-sweep of ``gc.py``).

Non-moving (objects stay where Python put them): "promotion" is a flag and a move from
the young registry to the old one.  Opt in with ``VM(..., collector="generational")``.
"""

from __future__ import annotations

from .gc import Collection, MarkSweep, host_stack_roots


class Generational(MarkSweep):
    def __init__(self, global_roots, instruction_count=lambda: 0, nursery: int = 64 * 1024,
                 costs=None):
        super().__init__(global_roots, instruction_count, costs)
        self.nursery = nursery
        self.minor_collections = self.major_collections = 0

    def wants(self, heap, size: int) -> bool:
        return heap.used + size > heap.limit or heap.young_bytes + size > self.nursery

    def collect(self, heap, needed: int = 0) -> Collection:
        event = self.minor(heap)
        if heap.used + needed > heap.limit:
            event = self.major(heap)
        return event

    def minor(self, heap) -> Collection:
        self.epoch += 1
        used_before = heap.used
        roots = list(self.global_roots()) + host_stack_roots()
        for old in heap.remembered.values():  # old -> young pointers
            roots.extend(_children(old))
        marked = self.mark(roots, young_only=True)
        freed, promoted = 0, 0
        for obj in heap.objects:
            if obj._vm_mark == self.epoch:
                obj._vm_old = True
                heap.old.append(obj)
                promoted += 1
            else:
                freed += obj._vm_size
        reclaimed = len(heap.objects) - promoted
        pause = self.pause_cycles(marked, len(heap.objects))
        self.stats.objects_marked += marked
        self.stats.objects_swept += len(heap.objects)
        heap.objects, heap.remembered = [], {}
        heap.used -= freed
        heap.young_bytes = 0
        self.minor_collections += 1
        event = self.record(used_before, heap, reclaimed, pause, "minor")
        self.charge_work(marked, reclaimed + promoted)
        return event

    def major(self, heap) -> Collection:
        heap.objects, heap.old = heap.old + heap.objects, []
        for obj in heap.objects:
            obj._vm_old = False
        event = MarkSweep.collect(self, heap, 0)
        for obj in heap.objects:  # every survivor of a full collection is old
            obj._vm_old = True
        heap.old, heap.objects, heap.remembered = heap.objects, [], {}
        heap.young_bytes = 0
        event.kind = "major"
        self.major_collections += 1
        return event


def _children(obj) -> list:
    if isinstance(obj, dict):
        return list(obj.keys()) + list(obj.values())
    if isinstance(obj, list):
        return list(obj)
    return list(obj.__dict__.values())
