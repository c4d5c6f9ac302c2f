"""Natives: the built-in functions and the methods of built-in types, written in the host.

Like JNI methods in the JVM (or CPython's C built-ins), natives run host code on guest
values.  Two tables: :data:`BUILTINS` (``print``, ``len``, ... called by
``INVOKE_NATIVE``) and :data:`METHODS` (``list.append``, ``str.split``, ... found by
``INVOKE_VIRTUAL`` when the receiver is not a guest object).  Every native gets the
runtime ``rt`` first.  Natives that touch the world go through ``rt.host`` after
``rt.policy`` allows it; natives that build lists, dicts or strings allocate them on the
managed heap or check their size first, so no guest call can exhaust the host.

Beyond Python's built-ins, three VM-specific natives reach files: ``read_text(path)``,
``write_text(path, text)`` and ``list_dir(path)``; ``clock_ns()`` reads the modeled clock.
The policy judges the path as the host resolves it (symbolic links followed); a file is
read only if it is regular and fits the heap, and the bytes a run writes have a quota
(``max_write``).  Every native is charged by its work (``work.py``).
"""

from __future__ import annotations

import operator
import re
from itertools import islice

from .callables import Function, call_value
from .heap import SIZES
from .host import read_at_most
from .iterators import Filtered, Mapped, charged, named
from .values import GuestDict, GuestList, GuestObject, type_name
from .work import (
    chars,
    count_equal,
    equality,
    hashing,
    items,
    multiplication_work,
    ordering,
    sorted_items,
)

BUILTINS: dict[str, tuple[int, int]] = {}  # name -> (min args, max args)
IMPLEMENTATIONS: dict[str, object] = {}
METHODS: dict[tuple[type, str], tuple[object, int, int]] = {}


def builtin(name: str, lo: int, hi: int):
    def register(fn):
        BUILTINS[name] = (lo, hi)
        IMPLEMENTATIONS[name] = fn
        return fn
    return register


def method(kind: type, name: str, lo: int, hi: int):
    def register(fn):
        METHODS[(kind, name)] = (fn, lo, hi)
        return fn
    return register


# ------------------------------------------------------------------ built-in functions

@builtin("print", 2, 255)
def native_print(rt, *args):
    *values, sep, end = args
    for option, what in ((sep, "sep"), (end, "end")):
        if option is not None and not isinstance(option, str):
            raise TypeError(f"{what} must be None or a string, not {type_name(option)}")
    text = (" " if sep is None else sep).join(rt.to_str(v) for v in values)
    text += "\n" if end is None else end
    rt.check_string(text)
    rt.charge(chars(len(text)))
    rt.policy.check_console()
    rt.output_chars += len(text)
    if rt.output_chars > rt.max_output:
        raise PermissionError(f"console output limit of {rt.max_output} characters exceeded")
    rt.host.write_console(text)


@builtin("len", 1, 1)
def native_len(rt, value):
    if isinstance(value, GuestObject):
        raise TypeError(f"object of type '{type_name(value)}' has no len()")
    return len(value)


@builtin("range", 1, 3)
def native_range(rt, *args):
    return range(*args)


@builtin("str", 0, 1)
def native_str(rt, value=""):
    text = rt.to_str(value)
    return text if type(value) is str else rt.heap.new_string(text)


@builtin("repr", 1, 1)
def native_repr(rt, value):
    return rt.to_repr(value)


@builtin("int", 0, 2)
def native_int(rt, value=0, *base):
    if isinstance(value, GuestObject | GuestList | GuestDict | range):
        raise TypeError("int() argument must be a string, a bytes-like object or a real "
                        f"number, not '{type_name(value)}'")
    if type(value) is str:
        rt.charge(chars(len(value)))
    return int(value, *base)


@builtin("ord", 1, 1)
def native_ord(rt, char):
    return ord(char)


@builtin("chr", 1, 1)
def native_chr(rt, code):
    char = chr(code)
    return char if ord(char) < 256 else rt.heap.new_string(char)  # CPython shares Latin-1


@builtin("bool", 0, 1)
def native_bool(rt, value=False):
    return bool(value)


@builtin("abs", 1, 1)
def native_abs(rt, value):
    if not isinstance(value, int):
        raise TypeError(f"bad operand type for abs(): '{type_name(value)}'")
    return abs(value)


@builtin("min", 1, 255)
def native_min(rt, *args):
    return extreme(rt, bounded(rt, args[0]) if len(args) == 1 else args, min)


@builtin("max", 1, 255)
def native_max(rt, *args):
    return extreme(rt, bounded(rt, args[0]) if len(args) == 1 else args, max)


def extreme(rt, values, pick):
    """``min`` or ``max``, each comparison of non-int values charged by its work."""
    if not all(type(v) is int for v in values):
        for a, b in zip(values, values[1:], strict=False):
            ordering(rt, a, b)
    return pick(values)


@builtin("sum", 1, 2)
def native_sum(rt, values, start=0):
    if type(start) is str:
        raise TypeError("sum() can't sum strings [use ''.join(seq) instead]")
    total = start
    for value in bounded(rt, values):  # each + as the ADD instruction does it
        total = rt.add(total, value)
    return total


@builtin("list", 0, 1)
def native_list(rt, values=()):
    return rt.heap.new_list(bounded(rt, values))


@builtin("dict", 0, 0)
def native_dict(rt):
    return rt.heap.new_dict()


@builtin("sorted", 1, 1)
def native_sorted(rt, values):
    return rt.heap.new_list(sorted_items(rt, bounded(rt, values)))


@builtin("_vm_sorted_key", 3, 3)
def native_sorted_key(rt, values, key, reverse):
    """``sorted(values, key=key, reverse=reverse)`` (the compiler passes both keywords)."""
    return rt.heap.new_list(sort_by_key(rt, bounded(rt, values), key, reverse))


def sort_by_key(rt, values: list, key, reverse) -> list:
    """A stable sort by ``key(item)``, each comparison charged (``work.sorted_items``).

    The items are decorated with their key and position: ``(key, i)`` ascending keeps
    equal keys in their order; for ``reverse`` ``(key, -i)`` ascending, then reversed,
    keeps them in their order too, as CPython's ``reverse=True`` does.
    """
    keys = values if key is None else [call_value(rt, key, (v,)) for v in values]
    sign = -1 if reverse else 1
    order = sorted_items(rt, [(k, sign * i) for i, k in enumerate(keys)])
    if reverse:
        order.reverse()
    return [values[sign * i] for _, i in order]


@builtin("enumerate", 1, 2)
def native_enumerate(rt, values, start=0):
    return charged(rt, enumerate(rt.get_iter(values), start))


@builtin("zip", 0, 255)
def native_zip(rt, *iterables):
    return charged(rt, zip(*(rt.get_iter(values) for values in iterables), strict=False))


@builtin("reversed", 1, 1)
def native_reversed(rt, values):
    if isinstance(values, GuestObject):
        raise TypeError(f"'{type_name(values)}' object is not reversible")
    return charged(rt, reversed(values))


@builtin("map", 2, 255)
def native_map(rt, function, *iterables):
    """``map(f, xs, ...)``: lazy, as CPython's; ``f`` runs when an item is taken."""
    inner = zip(*(rt.get_iter(values) for values in iterables), strict=False)
    return named("map", Mapped)(rt, inner, function)


@builtin("filter", 2, 2)
def native_filter(rt, function, values):
    """``filter(f, xs)`` (``f`` may be None: the truthy items), lazy as CPython's."""
    return named("filter", Filtered)(rt, rt.get_iter(values), function)


@builtin("any", 1, 1)
def native_any(rt, values):
    for value in rt.get_iter(values):
        rt.charge(1)
        if value:
            return True
    return False


@builtin("all", 1, 1)
def native_all(rt, values):
    for value in rt.get_iter(values):
        rt.charge(1)
        if not value:
            return False
    return True


@builtin("_vm_min_key", 2, 255)
def native_min_key(rt, key, *args):
    """``min(..., key=key)``: the first item with the smallest key, as CPython's."""
    return extreme_by_key(rt, key, args, "min")


@builtin("_vm_max_key", 2, 255)
def native_max_key(rt, key, *args):
    return extreme_by_key(rt, key, args, "max")


def extreme_by_key(rt, key, args, name):
    values = bounded(rt, args[0]) if len(args) == 1 else list(args)
    if not values:
        (min if name == "min" else max)(values)  # the host's ValueError, CPython's words
    best, best_key = values[0], call_value(rt, key, (values[0],))
    for value in values[1:]:
        k = call_value(rt, key, (value,))
        ordering(rt, k, best_key)
        if (k < best_key) if name == "min" else (k > best_key):
            best, best_key = value, k
    return best


# ------------------------------------------------------------------ tuples, powers, format

@builtin("tuple", 0, 1)
def native_tuple(rt, values=()):
    return new_tuple(rt, bounded(rt, values))


@builtin("_vm_tuple", 0, 255)
def native_tuple_display(rt, *values):
    """A tuple display ``(a, b)`` or ``return a, b``: its items are the arguments."""
    return new_tuple(rt, values)


def new_tuple(rt, values) -> tuple:
    """A host tuple, charged to the heap like a list of the same length.

    The charge is kept with the strings' (``heap.value_bytes``); a full collection
    re-measures live tuples as it does strings (``gc.py``), so the charge stays.
    """
    if not values:
        return ()
    value = tuple(values)
    return rt.heap._charge_value(value, SIZES["list"] + SIZES["list_item"] * len(value))


@builtin("_vm_slice", 4, 4)
def native_slice(rt, value, lo, hi, step):
    """``value[lo:hi:step]`` (a slice with a step: ``s[::-1]``); the copy is charged like
    the two-bound slices of ``Runtime.load_slice``."""
    result = value[lo:hi:step]
    if type(value) is GuestList:
        rt.charge(items(len(result)))
        return rt.heap.new_list(result)
    if type(result) is str:
        rt.charge(chars(len(result)))
        return rt.heap.new_string(result)
    if type(result) is tuple:
        rt.charge(items(len(result)))
        return new_tuple(rt, result)
    return result


# Value types isinstance() tests through a native (INSTANCEOF knows stdlib.VALUE_TYPES).
NATIVE_VALUE_TYPES = {"tuple": tuple}


@builtin("_vm_isinstance", 2, 2)
def native_isinstance(rt, value, type_name_):
    return isinstance(value, NATIVE_VALUE_TYPES[type_name_])


@builtin("divmod", 2, 2)
def native_divmod(rt, a, b):
    return new_tuple(rt, (rt.floordiv(a, b), rt.mod(a, b)))


# Integers may grow by ** only as far as by * (runtime.MAX_INT_BITS).
MAX_POWER_BITS = 1 << 16


@builtin("pow", 2, 2)
def native_pow(rt, base, exponent):
    """``base ** exponent`` on ints.  Simplified: a negative exponent, whose result CPython
    gives as a float, is a ValueError (the subset has no floats)."""
    if type(base) not in (int, bool) or type(exponent) not in (int, bool):
        raise TypeError("unsupported operand type(s) for ** or pow(): "
                        f"'{type_name(base)}' and '{type_name(exponent)}'")
    if exponent < 0:
        raise ValueError("a negative exponent gives a float, and the language subset has "
                         "no floats")
    if abs(base) > 1 and (abs(base).bit_length() - 1) * exponent > MAX_POWER_BITS:
        raise OverflowError(f"integer power exceeds {MAX_POWER_BITS} bits")
    result = base ** exponent
    # square-and-multiply: log2(exponent) squarings of growing numbers, the last (of
    # half the result's size) the largest; their sum is about half a full-size product
    rt.charge(max(1, exponent.bit_length()) + multiplication_work(result, result) // 2)
    return rt.heap.new_int(result)


FORMATTED = (int, bool, str)  # the types whose format specs the subset supports


@builtin("format", 1, 2)
def native_format(rt, value, spec=""):
    """``format(value, spec)``, what an f-string's ``{value:spec}`` calls.  A width or
    precision is checked against the heap before the host builds the string."""
    if type(spec) is not str:
        raise TypeError(f"format() argument 2 must be str, not {type_name(spec)}")
    if not spec:
        return rt.heap.new_string(rt.to_str(value)) if type(value) is not str else value
    if type(value) not in FORMATTED:
        raise TypeError(f"unsupported format string passed to {type_name(value)}.__format__")
    width = max((int(n) for n in re.findall(r"\d+", spec)), default=0)
    if type(value) is int and spec[-1:] in "eEfFgG%":
        width += 400  # a float has at most 309 digits before the point (else OverflowError)
    rt.check_length(width)
    rt.charge(chars(len(spec)))
    text = format(value, spec)
    rt.check_string(text)
    rt.charge(chars(len(text)))
    return rt.heap.new_string(text)


# ------------------------------------------------------------------ function values

@builtin("_vm_function", 2, 2)
def native_function(rt, class_name, method_name):
    """The function value of a module function (the compiler passes the names)."""
    cls = rt.loader.load(class_name)
    method = cls.methods[method_name]
    return Function(method=method, name=method_name if "lambda" not in method_name
                    else "<lambda>")


@builtin("_vm_builtin", 1, 1)
def native_builtin_value(rt, name):
    """A built-in function used as a value (``key=len``)."""
    return Function(native=IMPLEMENTATIONS[name], name=name, bounds=BUILTINS[name])


@builtin("_vm_call", 1, 255)
def native_call(rt, function, *args):
    """Call a function value: ``f(x)`` where ``f`` is a variable."""
    return call_value(rt, function, args)


@builtin("clock_ns", 0, 0)
def native_clock(rt):
    rt.policy.check_clock()
    return rt.clock_ns()


@builtin("read_text", 1, 1)
def native_read_text(rt, path):
    """Read a whole file, at most what the heap could hold (UTF-8 text is at least one byte
    per character); a FIFO or device is refused before anything is read."""
    data = read_at_most(rt.host, rt.policy.check_read(path, rt.host_resolve), rt.heap.limit)
    rt.charge(chars(len(data)))
    return rt.heap.new_string(data.decode("utf-8"))


@builtin("write_text", 2, 2)
def native_write_text(rt, path, text):
    if not isinstance(text, str):
        raise TypeError(f"write_text() needs a str, not {type_name(text)}")
    target = rt.policy.check_write(path, rt.host_resolve)
    data = text.encode("utf-8")
    rt.charge(chars(len(data)))
    counted = max(len(data), WRITE_BLOCK)  # so that empty files cannot be made without end
    if rt.written_bytes + counted > rt.max_write:
        raise WriteQuotaExceeded(f"write_text({target!r}): the file quota of {rt.max_write} "
                                 f"bytes per run would be exceeded ({rt.written_bytes} "
                                 f"written so far, {counted} more asked; every write counts "
                                 f"at least one {WRITE_BLOCK}-byte block)")
    rt.host.write_file(target, data)
    rt.written_bytes += counted


WRITE_BLOCK = 4096  # a file system block: the least a write counts against the quota


@builtin("list_dir", 1, 1)
def native_list_dir(rt, path):
    names = rt.host.list_dir(rt.policy.check_read(path, rt.host_resolve))
    if len(names) > rt.heap.max_items():
        raise MemoryError
    rt.charge(len(names))
    return rt.heap.new_list([rt.heap.new_string(name) for name in names])


class WriteQuotaExceeded(OSError):
    """More bytes written to files in one run than the VM's ``max_write`` (a guest OSError,
    as a Linux write past ``RLIMIT_FSIZE`` or a disk quota fails with EFBIG/EDQUOT)."""


def bounded(rt, values):
    """Materialize an iterable, but never more items than could fit in the heap.

    The items walked are charged to the instruction budget, so a native's loop over a
    huge ``range`` costs what the same loop in guest code would.
    """
    if isinstance(values, GuestObject):
        raise TypeError(f"'{type_name(values)}' object is not iterable")
    limit = rt.heap.max_items()
    if operator.length_hint(values) > limit:
        raise MemoryError
    items = list(islice(values, limit + 1))
    if len(items) > limit:
        raise MemoryError
    rt.charge(len(items))
    return items


# ------------------------------------------------------------------ list methods

@method(list, "append", 1, 1)
def list_append(rt, lst, item):
    if lst._vm_old:  # write barrier (generational collector)
        rt.heap.remember(lst)
    rt.heap.grow(lst, 8)
    lst.append(item)


@method(list, "pop", 0, 1)
def list_pop(rt, lst, index=-1):
    if type(index) is int and index != -1:  # the elements after it move down
        rt.charge(items(len(lst) - index if index >= 0 else -index))
    item = lst.pop(index)
    rt.heap.grow(lst, -8)
    return item


@method(list, "insert", 2, 2)
def list_insert(rt, lst, index, item):
    if type(index) is int:  # the elements after it move up
        rt.charge(items(max(0, len(lst) - index) if index >= 0 else -index))
    rt.heap.grow(lst, 8)
    if lst._vm_old:
        rt.heap.remember(lst)
    lst.insert(index, item)


@method(list, "extend", 1, 1)
def list_extend(rt, lst, values):
    items = bounded(rt, values)
    rt.heap.grow(lst, 8 * len(items))
    if lst._vm_old:
        rt.heap.remember(lst)
    lst.extend(items)


@method(list, "remove", 1, 1)
def list_remove(rt, lst, item):
    lst.pop(list_index(rt, lst, item))
    rt.heap.grow(lst, -8)


@method(list, "index", 1, 1)
def list_index(rt, lst, item):
    for position, element in enumerate(lst):
        rt.charge(1)
        if element is item or equality(rt, element, item):
            return position
    raise ValueError(f"{rt.to_repr(item)} is not in list")


@method(list, "count", 1, 1)
def list_count(rt, lst, item):
    return count_equal(rt, lst, item)


@method(list, "reverse", 0, 0)
def list_reverse(rt, lst):
    rt.charge(items(len(lst)))
    lst.reverse()


@method(list, "sort", 0, 2)
def list_sort(rt, lst, key=None, reverse=False):
    """``lst.sort()``, or ``lst.sort(key=..., reverse=...)`` (the compiler passes both)."""
    lst[:] = (sorted_items(rt, lst) if key is None and not reverse
              else sort_by_key(rt, list(lst), key, reverse))


@method(list, "copy", 0, 0)
def list_copy(rt, lst):
    rt.charge(items(len(lst)))
    return rt.heap.new_list(lst)


# ------------------------------------------------------------------ dict methods

@method(dict, "get", 1, 2)
def dict_get(rt, d, key, default=None):
    hashing(rt, key)  # hashed and compared: charged before the host hashes (work.py)
    return d.get(key, default)


@method(dict, "keys", 0, 0)
def dict_keys(rt, d):
    return d.keys()


@method(dict, "values", 0, 0)
def dict_values(rt, d):
    return d.values()


@method(dict, "items", 0, 0)
def dict_items(rt, d):
    return d.items()


@method(dict, "pop", 1, 2)
def dict_pop(rt, d, key, *default):
    hashing(rt, key)  # hashed and compared: charged before the host hashes (work.py)
    had = key in d
    value = d.pop(key, *default)
    if had:
        rt.heap.grow(d, -24)
    return value


# ------------------------------------------------------------------ str methods
# Each is charged by the characters it scans (its receiver and argument) and the string it
# makes is charged to the heap; a method that returns a str may return the receiver itself.

def _str_method(name: str, lo: int, hi: int):
    def call(rt, s, *args):
        rt.charge(chars(len(s) + sum(len(a) for a in args if type(a) is str)))
        result = getattr(s, name)(*args)
        return rt.heap.new_string(result) if type(result) is str and result is not s else result
    call.__name__ = f"str_{name}"
    method(str, name, lo, hi)(call)


for _name, _lo, _hi in (("upper", 0, 0), ("lower", 0, 0), ("strip", 0, 1), ("lstrip", 0, 1),
                        ("rstrip", 0, 1), ("startswith", 1, 1), ("endswith", 1, 1),
                        ("find", 1, 1), ("isdigit", 0, 0), ("isalpha", 0, 0),
                        ("isupper", 0, 0), ("islower", 0, 0), ("isspace", 0, 0),
                        ("isalnum", 0, 0), ("count", 1, 1), ("index", 1, 1), ("rfind", 1, 1),
                        ("capitalize", 0, 0)):
    _str_method(_name, _lo, _hi)


def _padding_method(name: str):
    """``ljust``, ``rjust``, ``center``, ``zfill``: the width is checked against the heap
    before the host pads, and the padded string charged by its size."""
    def call(rt, s, width, *fill):
        if type(width) is int:
            rt.check_length(width)
            rt.charge(chars(max(width, len(s))))
        result = getattr(s, name)(width, *fill)
        return rt.heap.new_string(result) if result is not s else result
    call.__name__ = f"str_{name}"
    method(str, name, 1, 1 if name == "zfill" else 2)(call)


for _name in ("ljust", "rjust", "center", "zfill"):
    _padding_method(_name)


@method(str, "split", 0, 2)
def str_split(rt, s, sep=None, maxsplit=-1):
    rt.charge(chars(2 * len(s)))  # counted once, then split
    pieces = (len(s) // 2 + 1) if sep is None else (s.count(sep) + 1 if sep else 1)
    if pieces > rt.heap.max_items():  # check before the host builds the pieces
        raise MemoryError
    rt.charge(pieces)
    return rt.heap.new_list([rt.heap.new_string(piece) for piece in s.split(sep, maxsplit)])


@method(str, "join", 1, 1)
def str_join(rt, s, values):
    items_ = bounded(rt, values)
    if all(isinstance(i, str) for i in items_):
        size = sum(map(len, items_)) + len(s) * max(0, len(items_) - 1)
        rt.check_length(size)
        rt.charge(chars(size))
    return rt.heap.new_string(s.join(items_))


@method(str, "replace", 2, 2)
def str_replace(rt, s, old, new):
    if isinstance(old, str) and isinstance(new, str):
        size = len(s) + (s.count(old) + (old == "")) * max(0, len(new) - len(old))
        rt.check_length(size)
        rt.charge(chars(len(s) + size))
    return rt.heap.new_string(s.replace(old, new))
