"""How guest values are represented in the host (Python).

* ``int``, ``bool``, ``str``, ``None`` and ``range`` are the host's own immutable values
  (the language is Python, so their semantics are CPython's by construction).  Strings
  are not traced by the collector; instead every operation that builds a string checks
  its length against the heap limit (a simplification, see ``heap.py``).
* A list is a :class:`GuestList`, a dict a :class:`GuestDict`: subclasses of the host
  types, so indexing and comparison are the host's, plus two header words the heap needs
  (``_vm_size`` charged bytes, ``_vm_mark`` the collector's mark epoch, ``_vm_old`` set
  once a generational collector has promoted it).  Their Python type
  names are ``list`` and ``dict`` so that error messages read exactly like CPython's.
* An object of a guest class is an instance of a host class made per guest class by
  :func:`host_type` (named like the guest class, again for CPython's error messages),
  a subclass of :class:`GuestObject`.  Fields live in the instance ``__dict__``; the
  header is ``_vm_cls`` (the runtime class), ``_vm_size`` and ``_vm_mark``.  Guest names
  may not start with ``_vm_`` or ``__`` (compiler and verifier reject them).
"""

from __future__ import annotations


class GuestObject:
    __slots__ = ("_vm_cls", "_vm_size", "_vm_mark", "_vm_old", "__dict__")

    def __repr__(self) -> str:
        return f"<{self._vm_cls.name} object>"


class GuestList(list):
    __slots__ = ("_vm_size", "_vm_mark", "_vm_old")


class GuestDict(dict):
    __slots__ = ("_vm_size", "_vm_mark", "_vm_old")


for _cls, _name in ((GuestList, "list"), (GuestDict, "dict")):
    _cls.__name__ = _cls.__qualname__ = _name

HEAP_TYPES = (GuestObject, GuestList, GuestDict)


def host_type(name: str) -> type:
    """A fresh host class for the guest class ``name`` (one per loaded class)."""
    return type(name, (GuestObject,), {"__slots__": ()})


def is_reserved_name(name: str) -> bool:
    return name.startswith("_vm_") or name.startswith("__")


def type_name(value) -> str:
    """The guest-visible type name, as CPython would print it."""
    if isinstance(value, GuestObject):
        return value._vm_cls.name
    if value is None:
        return "NoneType"
    return type(value).__name__


def guest_repr(value, limit: int, charge=None) -> str:
    """``repr`` as CPython prints it, refusing to build more than ``limit`` characters.

    Containers are walked here rather than by the host's ``repr`` so that a list holding
    the same long string many times cannot make the host build a gigantic string;
    ``charge`` (if given) is called with every piece written, so the runtime can charge
    the walk to the instruction budget as it goes (``work.py``).
    """
    out: list[str] = []
    size = 0
    active: set[int] = set()

    def emit(text: str) -> None:
        nonlocal size
        size += len(text)
        if size > limit:
            raise MemoryError(f"a representation longer than {limit} characters")
        if charge is not None:
            charge(text)
        out.append(text)

    def items(seq, open_: str, close: str, pairs: bool = False) -> None:
        emit(open_)
        for i, item in enumerate(seq):
            if i:
                emit(", ")
            if pairs:
                walk(item[0])
                emit(": ")
                walk(item[1])
            else:
                walk(item)
        emit(close)

    def walk(v) -> None:
        if isinstance(v, list | dict | tuple) or type(v) in _VIEWS:
            if id(v) in active:
                emit("[...]" if isinstance(v, list) else "{...}")
                return
            active.add(id(v))
            if isinstance(v, list):
                items(v, "[", "]")
            elif isinstance(v, dict):
                items(v.items(), "{", "}", pairs=True)
            elif isinstance(v, tuple):
                items(v, "(", ",)" if len(v) == 1 else ")")
            else:
                items(v, _VIEWS[type(v)] + "([", "])")
            active.discard(id(v))
        elif isinstance(v, GuestObject | int | str | range) or v is None:
            emit(repr(v))
        else:
            emit(f"<{type(v).__name__} object>")

    walk(value)
    return "".join(out)


_d = {}
_VIEWS = {type(_d.keys()): "dict_keys", type(_d.values()): "dict_values",
          type(_d.items()): "dict_items"}
