"""The iterators the built-ins ``enumerate``, ``zip``, ``reversed``, ``map`` and
``filter`` return: lazy, as CPython's, and charged to the budget per item taken.

A ``for`` loop pays per item anyway (one ``FOR_ITER`` each), but the host can walk an
iterator inside one instruction (``x in zip(a, b)``, ``list(reversed(r))``): these
wrappers make that walk pay as it goes (``work.py``'s rule: work charged by its size).
"""

from __future__ import annotations

from .callables import call_value


class Charged:
    """A host iterator whose every item is charged, so ``5 in reversed(range(10**12))``
    stops at the budget.  ``__reduce__`` names the wrapped iterator, which the collector's scan of
    host iterators follows (``gc._host_children``).  One subclass per wrapped type, named
    like it, so error messages read as CPython's (``object of type 'zip' has no len()``).
    """

    __slots__ = ("rt", "inner")

    def __init__(self, rt, inner):
        self.rt, self.inner = rt, inner

    def __iter__(self):
        return self

    def __next__(self):
        item = next(self.inner)
        self.rt.charge(1)
        return item

    def __reduce__(self):
        return (type(self), (None, self.inner, getattr(self, "function", None)))


class Mapped(Charged):
    """``map``'s iterator: the function applied to each tuple of items, as it is taken."""

    __slots__ = ("function",)

    def __init__(self, rt, inner, function):
        super().__init__(rt, inner)
        self.function = function

    def __next__(self):
        args = next(self.inner)
        self.rt.charge(1)
        return call_value(self.rt, self.function, args)


class Filtered(Mapped):
    """``filter``'s iterator: the items for which the function is truthy."""

    __slots__ = ()

    def __next__(self):
        while True:
            item = next(self.inner)
            self.rt.charge(1)
            if (item if self.function is None
                    else call_value(self.rt, self.function, (item,))):
                return item


_CHARGED_TYPES: dict[tuple[str, type], type] = {}


def named(name: str, base: type) -> type:
    """The subclass of ``base`` named ``name`` (for CPython's error messages)."""
    kind = _CHARGED_TYPES.get((name, base))
    if kind is None:
        kind = _CHARGED_TYPES[(name, base)] = type(name, (base,), {"__slots__": ()})
    return kind


def charged(rt, iterator) -> Charged:
    return named(type(iterator).__name__, Charged)(rt, iterator)
