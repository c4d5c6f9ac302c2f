"""A tracing mark-sweep garbage collector for the managed heap.

McCarthy's mark-sweep (1960), as presented in Jones, Hosking & Moss, *The Garbage
Collection Handbook* (2011), ch. 2: starting from the *roots*, mark every object reachable
through references; then sweep the heap registry, unlinking every unmarked object and
crediting its bytes.  Marking uses an explicit stack (no recursion) and an epoch number
as the mark bit, so nothing has to be cleared between collections.

Roots:

* the globals (static fields) of every loaded class;
* each interpreter frame, precisely: its locals and operand stack;
* the rest of the host call stack, scanned *conservatively* (like the Boehm-Demers-Weiser collector
  scans a C stack): every Python frame that belongs to the VM (this package's code and the
  JIT's generated code) has its local variables examined, and any guest object found
  there, or inside an interpreter frame, a host list/tuple or a host iterator, is a root.
  This is what lets JIT code keep guest locals in Python locals with no stack maps.

The collector's work is also charged to the instruction budget (one instruction per object
marked, one per :data:`SWEPT_PER_INSTRUCTION` swept, through :attr:`MarkSweep.charge`), so a
program that keeps its heap nearly full and makes every allocation collect (GC thrashing)
runs out of budget instead of running for hours: the budget bounds wall time here too.

The pause is *modeled* from the work done (Handbook sec. 2.5: marking is proportional to
the live objects, sweeping to the whole heap), priced by the one cost table
(:class:`vlab.host.costs.CostModel` rows ``gc_collection``, ``gc_mark``, ``gc_sweep``), so
a GC timeline is deterministic and ``CostModel.with_overrides`` re-prices it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

from vlab.host.costs import CostModel

from .heap import SIZES, value_size
from .values import GuestDict, GuestList, GuestObject

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


SWEPT_PER_INSTRUCTION = 4  # sweeping an object costs a quarter of marking one


@dataclass
class Collection:
    """One entry of the GC timeline."""
    number: int
    instructions: int  # guest instructions executed when it ran
    used_before: int
    used_after: int
    objects_reclaimed: int
    live_objects: int
    pause_cycles: int
    kind: str = "full"  # "full" (mark-sweep), "minor" or "major" (generational)

    @property
    def bytes_reclaimed(self) -> int:
        return self.used_before - self.used_after


@dataclass
class GCStats:
    collections: int = 0
    objects_marked: int = 0
    objects_swept: int = 0
    objects_reclaimed: int = 0
    bytes_reclaimed: int = 0
    live_objects: int = 0
    live_bytes: int = 0
    pause_cycles: int = 0
    timeline: list[Collection] = field(default_factory=list)


class MarkSweep:
    def __init__(self, global_roots, instruction_count=lambda: 0,
                 costs: CostModel | None = None):
        self.costs = costs if costs is not None else CostModel.default()
        self.global_roots = global_roots  # callable returning an iterable of values
        self.instruction_count = instruction_count
        self.stats = GCStats()
        self.epoch = 0
        self.charge = None  # set by the VM: charges collection work to the budget
        self.value_bytes = 0  # strings, big ints and tuples found reachable by the last mark

    def wants(self, heap, size: int) -> bool:
        return heap.used + size > heap.limit

    def collect(self, heap, needed: int = 0) -> Collection:
        self.epoch += 1
        used_before = heap.used
        marked = self.mark(list(self.global_roots()) + host_stack_roots(), skip=heap.fresh)
        survivors, freed_bytes = [], 0
        for obj in heap.objects:
            if obj._vm_mark == self.epoch:
                survivors.append(obj)
            else:
                freed_bytes += obj._vm_size
        reclaimed = len(heap.objects) - len(survivors)
        self.stats.objects_marked += marked
        self.stats.objects_swept += len(heap.objects)
        pause = self.pause_cycles(marked, len(heap.objects))
        heap.objects = survivors
        heap.used -= freed_bytes
        heap.recount_values(self.value_bytes)
        heap.young_bytes = heap.used
        event = self.record(used_before, heap, reclaimed, pause)
        self.charge_work(marked, len(survivors) + reclaimed)
        return event

    def charge_work(self, marked: int, swept: int) -> None:
        """Charge one collection's work to the instruction budget (if the VM asked)."""
        if self.charge is not None:
            self.charge(marked + swept // SWEPT_PER_INSTRUCTION)

    def pause_cycles(self, marked: int, swept: int) -> int | float:
        """Modeled pause: a fixed cost, plus per object marked, plus per object swept."""
        price = self.costs.cycles_of
        return price("gc_collection") + price("gc_mark") * marked + price("gc_sweep") * swept

    def record(self, used_before, heap, reclaimed, pause, kind="full") -> Collection:
        s = self.stats
        live = len(heap.objects) + len(heap.old)
        s.collections += 1
        s.objects_reclaimed += reclaimed
        s.bytes_reclaimed += used_before - heap.used
        s.live_objects, s.live_bytes = live, heap.used
        s.pause_cycles += pause
        event = Collection(s.collections, self.instruction_count(), used_before, heap.used,
                           reclaimed, live, pause, kind)
        s.timeline.append(event)
        return event

    def mark(self, roots: list, young_only: bool = False, skip=None) -> int:
        """Mark everything reachable from ``roots``; return how many heap objects.

        ``young_only`` (a minor collection) neither marks nor traces old objects: what
        they point to is found through the remembered set instead.  The strings, big
        ints and tuples met are measured once each into :attr:`value_bytes` (except
        ``skip``, the value being allocated); only a full collection uses that sum.  A
        tuple is measured as ``natives.new_tuple`` charged it (like a list of its length,
        :func:`tuple_size`) and its items are still followed.
        """
        epoch, count, stack, seen = self.epoch, 0, list(roots), set()
        values = 0
        while stack:
            value = stack.pop()
            kind = type(value)
            if isinstance(value, GuestObject | GuestList | GuestDict):
                if value._vm_mark == epoch or (young_only and value._vm_old):
                    continue
                value._vm_mark = epoch
                count += 1
                if kind is GuestList:
                    stack.extend(value)
                elif kind is GuestDict:
                    stack.extend(value.keys())
                    stack.extend(value.values())
                else:
                    stack.extend(value.__dict__.values())
            elif id(value) not in seen:
                seen.add(id(value))
                if kind is str or kind is int:
                    if value is not skip:
                        values += value_size(value)
                else:
                    if kind is tuple and value is not skip:
                        values += tuple_size(value)
                    stack.extend(_host_children(value))
        self.value_bytes = values
        return count


def tuple_size(value: tuple) -> int:
    """The bytes a guest tuple is charged (``natives.new_tuple``): a list's header and one
    reference per item; the empty tuple, shared as in CPython, is not charged.

    Conservative: a host tuple the stack scan meets (the arguments of a native being
    called) is measured too, although it was never charged; that only withholds a
    credit (``Heap.recount_values`` never charges more than was charged)."""
    return SIZES["list"] + SIZES["list_item"] * len(value) if value else 0


def _host_children(value) -> list:
    """References held by a host-side container the conservative scan meets."""
    kind = type(value)
    if kind is list or kind is tuple:
        return list(value)
    if kind is dict:
        return list(value.values())
    frame_vars = getattr(value, "__vm_roots__", None)
    if frame_vars is not None:  # an interpreter Frame
        return frame_vars()
    if hasattr(value, "__next__") and hasattr(value, "__reduce__"):
        try:  # a host iterator: its reduce tuple names what it iterates over
            return list(value.__reduce__()[1])
        except Exception:  # an iterator that cannot be reduced holds nothing
            return []
    return []


# Host functions whose frames are scanned precisely: code object -> the one local that
# holds everything live (the interpreter's dispatch loop registers its Frame variable).
PRECISE_FRAMES: dict = {}


def host_stack_roots() -> list:
    """Local variables of the VM's own Python frames (conservative stack scanning)."""
    roots, frame = [], sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code in PRECISE_FRAMES:
            roots.append(frame.f_locals[PRECISE_FRAMES[code]])
        elif code.co_filename.startswith("<jit") or (
                os.path.dirname(code.co_filename) == _PACKAGE_DIR):
            roots.extend(frame.f_locals.values())
        frame = frame.f_back
    return roots
