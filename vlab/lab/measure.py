"""Measure the host work of a piece of Python: bytecodes executed, per function.

An interpreter's cost is "host instructions per guest instruction" (Hwang, Dongarra &
Fox 2011, sec. 3.1.2.1: one source instruction may need tens or hundreds of native target
instructions).  Our host is CPython, whose instructions are *bytecodes*, so the natural
unit is: how many Python bytecodes run for one guest instruction.

:func:`count_bytecodes` counts them exactly with CPython's own tracing hook
(``sys.settrace`` with ``frame.f_trace_opcodes = True``, Python 3.7+; on 3.12+
``sys.monitoring`` would do the same faster).  The hook is called once per bytecode
executed in every Python frame entered while the function runs, so the count depends only
on the code path taken: the same run gives the same count on every machine, every time
(deterministic, unlike a stopwatch).  What it does not count: work done inside C (a dict
lookup is one ``BINARY_SUBSCR`` whatever it costs), and the frame that calls
``count_bytecodes`` itself.

:func:`wall_ns` is the stopwatch: nanoseconds per call, best of a few repeats.  It is a
*measurement* of this machine at this moment, so chapters print it only in cells marked
as measurements (nbval ignores their output); models and tests never use it.
"""

from __future__ import annotations

import gc
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class BytecodeCount:
    """Bytecodes executed by one call, in total and per function (``co_qualname``, e.g.
    ``Interpreter.run`` or ``factory.<locals>._h_add``)."""

    total: int
    by_function: dict[str, int]

    def grouped(self, group_of: Callable[[str], str]) -> dict[str, int]:
        """Counts summed by ``group_of(qualified_name)``, largest group first."""
        groups: Counter[str] = Counter()
        for name, count in self.by_function.items():
            groups[group_of(name)] += count
        return dict(sorted(groups.items(), key=lambda item: (-item[1], item[0])))


def trace_opcodes(on_opcode: Callable[[Any], None], function: Callable[..., Any],
                  *args: Any, **kwargs: Any) -> Any:
    """Run ``function(*args, **kwargs)`` and call ``on_opcode(frame)`` for every bytecode
    it executes; return its result.

    Only frames entered by the call are traced (this frame is not: the tracer is switched
    on and off here, around the call).  The cyclic garbage collector is paused meanwhile:
    a collection can start at any allocation and run the finalizers of unrelated objects
    left by earlier work, which would add their bytecodes to the count; paused, the count
    is the same on every run.
    """
    def hook(frame, event, arg):
        frame.f_trace_opcodes = True
        if event == "opcode":
            on_opcode(frame)
        return hook

    if sys.gettrace() is not None:
        raise RuntimeError("bytecodes cannot be counted under another tracer "
                           "(a debugger or coverage); run without one")
    collecting = gc.isenabled()
    gc.disable()
    sys.settrace(hook)
    try:
        return function(*args, **kwargs)
    finally:
        sys.settrace(None)
        if collecting:
            gc.enable()


def count_bytecodes(function: Callable[..., Any], *args: Any,
                    **kwargs: Any) -> tuple[Any, BytecodeCount]:
    """Run ``function(*args, **kwargs)``; return its result and the bytecodes it executed."""
    counts: Counter[str] = Counter()

    def count(frame):
        counts[frame.f_code.co_qualname] += 1

    result = trace_opcodes(count, function, *args, **kwargs)
    by_function = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    return result, BytecodeCount(sum(counts.values()), by_function)


def wall_ns(function: Callable[[], Any], repeat: int = 3,
            setup: Callable[[], Any] | None = None) -> float:
    """Wall-clock nanoseconds of one call of ``function()``, best of ``repeat`` calls;
    ``setup()``, if given, runs before each call and is not timed.

    A measurement, not a model output: never use it in a test or a checked cell.
    """
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1, got {repeat}")
    best = None
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter_ns()
        function()
        elapsed = time.perf_counter_ns() - start
        best = elapsed if best is None else min(best, elapsed)
    return float(best)
