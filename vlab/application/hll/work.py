"""Charging operations by the work they do, so the instruction budget bounds wall time.

One bytecode is one instruction of the budget, but some bytecodes (and natives) do work
proportional to their operands: ``s == t`` compares up to ``len(s)`` characters,
``x in items`` up to ``len(items)`` elements, ``s.replace(a, b)`` scans and copies the
whole string.  Charging them one instruction each would let a small budget run for hours,
so each is charged, on top of its one instruction, in proportion to its work:

=====================================  ==============================================
work                                   extra instructions charged
=====================================  ==============================================
characters scanned, compared, copied   one per :data:`CHARS_PER_INSTRUCTION` (64)
references copied (slices, ``+``)      one per :data:`ITEMS_PER_INSTRUCTION` (8)
int ``*`` (above 512 bits)             one per 1,024 products of 30-bit digits
int ``//`` and ``%`` (above 512 bits)  one per 64 steps of long division
elements compared (``==``, ``in``,     one per element pair visited, walking the
``count``, ``index``, ``sort``)        containers in the order CPython compares them;
                                       ``x in d.values()`` and a non-int ``in range``
                                       one per element (CPython searches linearly)
a dict key hashed (``d[k]``, ``k in    a string key by its characters, a tuple key one
d``)                                   per item, nested tuples walked too
=====================================  ==============================================

The comparison walks mirror CPython's ``list_richcompare`` and ``unicode_compare_eq``
(Objects/listobject.c, Objects/unicodeobject.c): equal-length strings are compared
character by character, strings of different lengths are unequal at once; lists are
compared element by element up to the first difference, an identical pair (``a is b``)
counting as equal without being walked.  The walk charges as it goes, so a comparison too
big for the remaining budget stops with the budget exhausted, before the host does it.

The bound this buys, :data:`WALL_FACTOR` (a budget of N instructions ends within about
``WALL_FACTOR`` x N times a plain interpreted instruction), is checked by
``benchmarks/bench_hll_work.py``: it repeats each hostile operation of issue 16 on megabyte
operands (and GC thrashing, charged by ``gc.py``, and arithmetic on the largest integers the
VM makes, whose additions the engines do inline, uncharged) until a budget runs out, and
prints CPU time per charged instruction next to a plain integer loop, and the worst ratio
against the bound.  Sorting is charged per comparison ``list.sort`` makes (all-int lists:
``n log2 n``).
"""

from __future__ import annotations

from .values import GuestDict, GuestList

_d: dict = {}
LINEAR_VIEWS = (type(_d.values()), type(_d.items()))  # searched element by element
SET_VIEWS = (type(_d.keys()), type(_d.items()))  # compared as sets, element by element
SEQUENCES = (GuestList, tuple)  # compared element by element (dict items are tuples)
KEYS_VIEW = type(_d.keys())  # searched by hashing, like the dict itself
ITEMS_VIEW = type(_d.items())

CHARS_PER_INSTRUCTION = 64
ITEMS_PER_INSTRUCTION = 8
DIGIT_PRODUCTS_MUL = 1024  # 30-bit digit products per instruction (multiplication)
DIGIT_PRODUCTS_DIV = 64  # ... and steps of long division (slower per step)
WALL_FACTOR = 8  # documented bound: a charged instruction costs at most this many plain ones


def chars(n: int) -> int:
    """Instructions for scanning, comparing or copying ``n`` characters."""
    return n // CHARS_PER_INSTRUCTION


def items(n: int) -> int:
    """Instructions for copying ``n`` references."""
    return n // ITEMS_PER_INSTRUCTION


def digits(n: int) -> int:
    """How many 30-bit digits CPython stores ``n`` in (``Include/cpython/longintrepr.h``)."""
    return n.bit_length() // 30 + 1


def multiplication_work(a, b) -> int:
    """Instructions for ``a * b`` on ints: digit products, Karatsuba or schoolbook."""
    if type(a) is not int or type(b) is not int:
        return 0
    return digits(a) * digits(b) // DIGIT_PRODUCTS_MUL


def division_work(a, b) -> int:
    """Instructions for ``a // b`` or ``a % b`` on ints: schoolbook long division (Knuth,
    TAOCP vol. 2, 4.3.1, algorithm D), about (digits of a) x (digits of b) steps."""
    if type(a) is not int or type(b) is not int:
        return 0
    return digits(a) * digits(b) // DIGIT_PRODUCTS_DIV


def equality(rt, a, b) -> bool:
    """Charge comparing ``a == b`` as CPython does it; return whether they are equal."""
    ta, tb = type(a), type(b)
    if ta is str and tb is str:
        if len(a) == len(b):
            rt.charge(chars(len(a)))
        return a == b
    if ta is tb and ta in SEQUENCES:
        if len(a) != len(b):
            return False
        for x, y in zip(a, b, strict=True):
            rt.charge(1)
            if x is not y and not equality(rt, x, y):
                return False
        return True
    if ta is GuestDict and tb is GuestDict:
        if len(a) != len(b):
            return False
        for key, value in a.items():
            rt.charge(1 + (chars(len(key)) if type(key) is str else 0))
            if key not in b:
                return False
            other = b[key]
            if value is not other and not equality(rt, value, other):
                return False
        return True
    if ta in SET_VIEWS or tb in SET_VIEWS:
        rt.charge(_length(a) + _length(b))
    return a == b


def hashing(rt, key) -> None:
    """Charge looking ``key`` up in a dict (``d[k]``, ``d[k] = v``, ``k in d``).

    CPython hashes a string by its characters (then caches the hash) and a tuple by
    hashing every item, every time (``tuplehash``, Objects/tupleobject.c): a string key is
    charged by its characters, a tuple key one instruction per item, nested tuples and
    strings walked the same way.  The walk is done here, charging as it goes, before the
    host hashes: a budget too small stops it first, and a tuple nested too deep for the
    host's own recursive ``tuplehash`` (which would overflow the host's C stack) is a
    guest ``RecursionError`` here instead.  Simplified: the comparison a hit makes with
    an equal key that is another object is not charged (CPython compares identity first).
    """
    kind = type(key)
    if kind is str:
        rt.charge(chars(len(key)))
    elif kind is tuple:
        for item in key:
            rt.charge(1)
            if type(item) is tuple or type(item) is str:
                hashing(rt, item)


def _length(value) -> int:
    return len(value) if type(value) in SET_VIEWS else 0


def ordering(rt, a, b) -> None:
    """Charge comparing ``a < b`` (or ``<=``, ``>``, ``>=``) as CPython does it."""
    ta, tb = type(a), type(b)
    if ta is str and tb is str:
        rt.charge(chars(min(len(a), len(b))))
    elif ta in SET_VIEWS or tb in SET_VIEWS:
        rt.charge(_length(a) + _length(b))
    elif ta is tb and ta in SEQUENCES:
        for x, y in zip(a, b, strict=False):  # up to the first unequal pair, then ordered
            rt.charge(1)
            if x is not y and not equality(rt, x, y):
                ordering(rt, x, y)
                return


def membership(rt, item, container) -> None:
    """Charge ``item in container``."""
    kind = type(container)
    if kind is str:
        if type(item) is str:
            rt.charge(chars(len(container) + len(item)))
    elif kind in SEQUENCES:  # a list or a tuple: one element at a time, up to a match
        for element in container:
            rt.charge(1)
            if element is item or equality(rt, element, item):
                return
    elif kind is GuestDict or kind is KEYS_VIEW:
        hashing(rt, item)
    elif kind in LINEAR_VIEWS or (kind is range and type(item) is not int):
        rt.charge(len(container))  # CPython searches these one element at a time
        if kind is ITEMS_VIEW and type(item) is tuple:
            hashing(rt, item)  # (k, v) in d.items() looks k up in the dict


def count_equal(rt, container, item) -> int:
    """How many elements of a list or tuple equal ``item``, charged as ``list.count`` and
    ``tuple.count`` work (every element is compared)."""
    found = 0
    for element in container:
        rt.charge(1)
        if element is item or equality(rt, element, item):
            found += 1
    return found


class _Charged:
    """A ``sorted`` key: each ``<`` that ``list.sort`` makes is charged as it is made."""

    __slots__ = ("rt", "value")

    def __init__(self, rt, value):
        self.rt, self.value = rt, value

    def __lt__(self, other: _Charged) -> bool:
        self.rt.charge(1)
        ordering(self.rt, self.value, other.value)
        return self.value < other.value


def sorted_items(rt, values: list) -> list:
    """``sorted(values)``: all-int lists charged ``n log2 n``, others per comparison."""
    if all(type(v) is int for v in values):
        rt.charge(len(values) * max(1, len(values).bit_length()))
        return sorted(values)
    return sorted(values, key=lambda value: _Charged(rt, value))
