"""Functions as values: a ``lambda``, a ``def`` or a built-in passed, stored and called.

A :class:`Function` holds the VM method the compiler made (a lambda is a static method of
the module, named after its position) or a built-in's native; :func:`call_value` calls
it from a native (``sorted``'s ``key=``, ``map``) or for ``f(x)`` where ``f`` is a
variable, with CPython's ``TypeError`` for a wrong argument count or a value that is not
callable.  Like a Python function object it is a host object of its own, not charged to
the heap (it holds no guest values).
"""

from __future__ import annotations

from .values import type_name


class Function:
    """A function as a value: a ``lambda`` or the name of a ``def`` used without a call
    (``key=len``-style arguments).  It holds the VM method (or a built-in's native)."""

    __slots__ = ("method", "native", "name", "bounds")

    def __init__(self, method=None, native=None, name="", bounds=(0, 255)):
        self.method, self.native, self.name = method, native, name
        self.bounds = bounds  # a built-in's least and most arguments

    def __repr__(self) -> str:
        return f"<function {self.name}>"


Function.__name__ = Function.__qualname__ = "function"


def call_value(rt, function, args):
    if type(function) is not Function:
        raise TypeError(f"'{type_name(function)}' object is not callable")
    if function.native is not None:
        lo, hi = function.bounds
        if not lo <= len(args) <= hi:
            raise TypeError(f"{function.name}() takes {lo} to {hi} arguments "
                            f"({len(args)} given)")
        return function.native(rt, *args)
    method = function.method
    given, most = len(args), method.arity
    least = most - len(method.defaults)
    if not least <= given <= most:  # CPython's message, with the lambda's name
        if given > most:
            takes = f"from {least} to {most}" if least < most else str(most)
            raise TypeError(f"{function.name}() takes {takes} positional argument"
                            f"{'' if most == 1 else 's'} but {given} "
                            f"{'was' if given == 1 else 'were'} given")
        missing = least - given
        raise TypeError(f"{function.name}() missing {missing} required positional "
                        f"argument{'s' if missing > 1 else ''}")
    return rt.call(method, tuple(args))
