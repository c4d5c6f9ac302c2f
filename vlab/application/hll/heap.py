"""The managed heap: every guest list, dict and object is allocated here, under a limit.

A JVM heap has a configured maximum (``-Xmx``); allocation that would pass it first runs
the garbage collector and, if that frees too little, fails with ``OutOfMemoryError``
(JVM Specification sec. 2.5.3).  This heap does the same with *modeled* sizes: the bytes
an object would take in a 64-bit VM with a two-word header (Jones, Hosking & Moss, *The
Garbage Collection Handbook*, 2011, ch. 7): see :data:`SIZES`.

What is modeled and what is real: objects live in host (Python) memory; the heap keeps the
*registry* of allocated guest objects and their charged bytes, and the collector
(``gc.py``) really traces reachability and unlinks what is unreachable, crediting its
bytes.  A list or dict is charged when it grows, credited when it shrinks.

Strings are host values (Python ``str``), not registered objects, but they are charged all
the same (:func:`string_size`: a 24-byte header as a JVM's ``String`` with compact strings,
JEP 254, plus the characters at the 1, 2 or 4 bytes each that CPython really stores them
in, PEP 393): every operation that makes a string (concatenation, repetition,
slicing, ``str()``, the ``str`` methods, ``read_text``...) calls :meth:`Heap.new_string`,
which may collect and fails like any allocation; the collector re-measures the strings it
finds reachable (each counted once) and credits the rest.  So the limit bounds every byte
a guest can keep live, strings included (a string transient inside one native, such as
the text ``print`` writes, is bounded by the limit but not charged).  Integers above
512 bits are charged the same way (:meth:`Heap.new_int`, at their real size): a list of
65,536-bit integers would otherwise hold a thousand times its charged 8 bytes per slot.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from .values import GuestDict, GuestList, GuestObject

HEADER = 16  # two 8-byte header words: class pointer + mark/size
SIZES = {
    "object": HEADER,       # + 8 per declared field
    "field": 8,
    "list": HEADER + 8,     # + 8 per element (a length word, then one reference per element)
    "list_item": 8,
    "dict": HEADER + 16,    # + 24 per entry (hash, key, value)
    "dict_item": 24,
}


STRING_HEADER = 24  # object header, length and hash (JEP 254's String is 24 bytes + array)
WIDE_OVERHEAD = sys.getsizeof("\xe9") - 1  # CPython's header of a non-ASCII string


BIG_INT = 1 << 512  # integers at least this large (in magnitude) are charged


def value_size(value) -> int:
    """The modeled bytes of a string or big integer (0 for values not charged)."""
    kind = type(value)
    if kind is str:
        return string_size(value)
    if kind is int and not -BIG_INT < value < BIG_INT:
        return sys.getsizeof(value)  # header plus 4 bytes per 30-bit digit
    return 0


def string_size(text: str) -> int:
    """The modeled bytes of one string: header plus its characters as stored."""
    if text.isascii():
        return STRING_HEADER + len(text)
    return STRING_HEADER + max(len(text), sys.getsizeof(text) - WIDE_OVERHEAD)


MIN_LIMIT = 1024  # room for the preallocated OutOfMemoryError and a few objects


class HeapExhausted(Exception):
    """Raised by the heap; the runtime turns it into a guest OutOfMemoryError."""


@dataclass
class HeapStats:
    allocations: int = 0
    bytes_allocated: int = 0
    peak_used: int = 0


@dataclass
class Heap:
    limit: int
    used: int = 0
    objects: list = field(default_factory=list)  # all objects (young ones if generational)
    old: list = field(default_factory=list)  # promoted objects (generational collector only)
    young_bytes: int = 0
    remembered: dict = field(default_factory=dict)  # id -> old object written since last GC
    stats: HeapStats = field(default_factory=HeapStats)
    collector: object = None  # set by the VM: wants(heap, size) and collect(heap, size)
    value_bytes: int = 0  # strings and big ints charged (live at the last collection + new)
    fresh: object = None  # the value being charged (not yet counted by a collection)

    def __post_init__(self):
        if type(self.limit) is not int or self.limit < MIN_LIMIT:
            raise ValueError(f"heap limit {self.limit!r} is too small: give at least "
                             f"{MIN_LIMIT} bytes (e.g. --heap 16777216 for 16 MiB)")

    def reserve(self, size: int) -> None:
        """Make room for ``size`` more bytes: collect if needed, else fail."""
        if self.collector is not None and self.collector.wants(self, size):
            self.collector.collect(self, size)
        if self.used + size > self.limit:
            raise HeapExhausted(f"heap limit of {self.limit} bytes exceeded "
                                f"({self.used} used, {size} requested)")

    def register(self, obj, size: int):
        obj._vm_size, obj._vm_mark, obj._vm_old = size, 0, False  # header first: a GC may see it
        self.reserve(size)
        self.used += size
        self.young_bytes += size
        self.objects.append(obj)
        self.stats.allocations += 1
        self.stats.bytes_allocated += size
        self.stats.peak_used = max(self.stats.peak_used, self.used)
        return obj

    def grow(self, obj, delta: int) -> None:
        """``obj`` (already registered) grew by ``delta`` bytes (may be negative)."""
        if delta > 0:
            self.reserve(delta)
            self.stats.bytes_allocated += delta
        obj._vm_size += delta
        self.used += delta
        if not obj._vm_old:
            self.young_bytes += delta
        self.stats.peak_used = max(self.stats.peak_used, self.used)

    # ------------------------------------------------ typed allocation

    def new_object(self, host_type: type, cls, nfields: int) -> GuestObject:
        obj = host_type.__new__(host_type)
        obj._vm_cls, obj._vm_size, obj._vm_mark, obj._vm_old = cls, 0, 0, False
        return self.register(obj, SIZES["object"] + SIZES["field"] * nfields)

    def new_list(self, items=()) -> GuestList:
        items = items if isinstance(items, list | tuple | str | range) else list(items)
        self.reserve(SIZES["list"] + SIZES["list_item"] * len(items))
        return self.register(GuestList(items), SIZES["list"] + SIZES["list_item"] * len(items))

    def new_dict(self, pairs=()) -> GuestDict:
        d = GuestDict(pairs)
        return self.register(d, SIZES["dict"] + SIZES["dict_item"] * len(d))

    def new_string(self, text: str) -> str:
        """Charge the new string ``text`` (:func:`string_size`); return it."""
        return self._charge_value(text, string_size(text))

    def new_int(self, number: int) -> int:
        """Charge ``number`` if it is a big integer (:func:`value_size`); return it."""
        size = value_size(number)
        return self._charge_value(number, size) if size else number

    def _charge_value(self, value, size: int):
        self.fresh = value  # a collection now must not count it as already live
        try:
            self.reserve(size)
        finally:
            self.fresh = None
        self.used += size
        self.value_bytes += size
        self.stats.bytes_allocated += size
        self.stats.peak_used = max(self.stats.peak_used, self.used)
        return value

    def recount_values(self, live: int) -> None:
        """A full collection found ``live`` bytes of strings and big ints reachable: credit
        the rest.

        Only a credit: values the program did not make (the constants of its class files,
        which were never charged) may be among the live ones.
        """
        live = min(live, self.value_bytes)
        self.used -= self.value_bytes - live
        self.value_bytes = live

    def remember(self, obj) -> None:
        """The write barrier's slow path: an old object now may point to young ones."""
        self.remembered[id(obj)] = obj

    def max_items(self) -> int:
        """How many list elements could possibly still fit (bounds host-side building)."""
        return max(0, (self.limit - self.used) // SIZES["list_item"])
