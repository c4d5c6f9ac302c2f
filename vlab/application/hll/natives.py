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
"""

from __future__ import annotations

import operator
from itertools import islice

from .values import GuestDict, GuestList, GuestObject, type_name

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
    return rt.to_str(value)


@builtin("repr", 1, 1)
def native_repr(rt, value):
    return rt.to_repr(value)


@builtin("int", 0, 2)
def native_int(rt, value=0, *base):
    if isinstance(value, GuestObject | GuestList | GuestDict | range):
        raise TypeError("int() argument must be a string, a bytes-like object or a real "
                        f"number, not '{type_name(value)}'")
    return int(value, *base)


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
    return min(bounded(rt, args[0]) if len(args) == 1 else args)


@builtin("max", 1, 255)
def native_max(rt, *args):
    return max(bounded(rt, args[0]) if len(args) == 1 else args)


@builtin("sum", 1, 1)
def native_sum(rt, values):
    return sum(bounded(rt, values))


@builtin("list", 0, 1)
def native_list(rt, values=()):
    return rt.heap.new_list(bounded(rt, values))


@builtin("dict", 0, 0)
def native_dict(rt):
    return rt.heap.new_dict()


@builtin("sorted", 1, 1)
def native_sorted(rt, values):
    return rt.heap.new_list(sorted(bounded(rt, values)))


@builtin("enumerate", 1, 2)
def native_enumerate(rt, values, start=0):
    return enumerate(values, start)


@builtin("clock_ns", 0, 0)
def native_clock(rt):
    rt.policy.check_clock()
    return rt.clock_ns()


@builtin("read_text", 1, 1)
def native_read_text(rt, path):
    data = rt.host.read_file(rt.policy.check_read(path))
    rt.check_string(data)
    return data.decode("utf-8")


@builtin("write_text", 2, 2)
def native_write_text(rt, path, text):
    if not isinstance(text, str):
        raise TypeError(f"write_text() needs a str, not {type_name(text)}")
    rt.host.write_file(rt.policy.check_write(path), text.encode("utf-8"))


@builtin("list_dir", 1, 1)
def native_list_dir(rt, path):
    return rt.heap.new_list(rt.host.list_dir(rt.policy.check_read(path)))


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
    item = lst.pop(index)
    rt.heap.grow(lst, -8)
    return item


@method(list, "insert", 2, 2)
def list_insert(rt, lst, index, item):
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
    lst.remove(item)
    rt.heap.grow(lst, -8)


@method(list, "index", 1, 1)
def list_index(rt, lst, item):
    return lst.index(item)


@method(list, "count", 1, 1)
def list_count(rt, lst, item):
    return lst.count(item)


@method(list, "reverse", 0, 0)
def list_reverse(rt, lst):
    lst.reverse()


@method(list, "sort", 0, 0)
def list_sort(rt, lst):
    lst.sort()


@method(list, "copy", 0, 0)
def list_copy(rt, lst):
    return rt.heap.new_list(lst)


# ------------------------------------------------------------------ dict methods

@method(dict, "get", 1, 2)
def dict_get(rt, d, key, default=None):
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
    had = key in d
    value = d.pop(key, *default)
    if had:
        rt.heap.grow(d, -24)
    return value


# ------------------------------------------------------------------ str methods

def _str_method(name: str, lo: int, hi: int):
    def call(rt, s, *args):
        return getattr(s, name)(*args)
    call.__name__ = f"str_{name}"
    method(str, name, lo, hi)(call)


for _name, _lo, _hi in (("upper", 0, 0), ("lower", 0, 0), ("strip", 0, 1), ("lstrip", 0, 1),
                        ("rstrip", 0, 1), ("startswith", 1, 1), ("endswith", 1, 1),
                        ("find", 1, 1), ("isdigit", 0, 0), ("isalpha", 0, 0),
                        ("count", 1, 1)):
    _str_method(_name, _lo, _hi)


@method(str, "split", 0, 1)
def str_split(rt, s, sep=None):
    pieces = (len(s) // 2 + 1) if sep is None else (s.count(sep) + 1 if sep else 1)
    if pieces > rt.heap.max_items():  # check before the host builds the pieces
        raise MemoryError
    return rt.heap.new_list(s.split(sep))


@method(str, "join", 1, 1)
def str_join(rt, s, values):
    items = bounded(rt, values)
    if all(isinstance(i, str) for i in items):
        rt.check_length(sum(map(len, items)) + len(s) * max(0, len(items) - 1))
    return s.join(items)


@method(str, "replace", 2, 2)
def str_replace(rt, s, old, new):
    if isinstance(old, str) and isinstance(new, str):
        rt.check_length(len(s) + (s.count(old) + (old == "")) * max(0, len(new) - len(old)))
    return s.replace(old, new)
