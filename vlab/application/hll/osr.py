"""On-stack replacement (OSR) and deoptimization: moving a *running* frame between engines.

The JIT compiles a method when it is called often (entry at the next call), which never
helps a method that is called once and loops for a long time (a program's ``main()``, its
top-level code).  OSR, as in HotSpot (Paleczny, Vick & Click, "The Java HotSpot Server
Compiler", JVM '01, sec. 5) and in Self before it (Hölzle, Chambers & Ungar,
"Debugging Optimized Code with Dynamic Deoptimization", PLDI '92), moves the frame itself:

* **Back-edge counters.**  The interpreter counts, per loop, how often a backward jump is
  taken (``Method.loop_counters``, one counter per loop header, kept across calls).  When
  a counter reaches :data:`BACK_EDGES_PER_CALL` times the JIT's call threshold (64 back
  edges for the default threshold of 2 calls: HotSpot also derives its back-edge
  threshold from the call threshold, ``OnStackReplacePercentage``), the JIT compiles the
  method with an *OSR entry* at that loop header (:meth:`...jit.JIT.osr_entry`).
* **The OSR entry.**  A compiled function whose parameters are the frame's state at the
  loop header: every local ``L0..Ln-1`` and every operand-stack slot ``S0..Sk-1``, and
  whose first block is the loop header instead of offset 0.  :func:`transfer` takes the
  values out of the interpreter's :class:`Frame`, the interpreter's ``execute`` calls
  the entry with them and returns whatever the compiled code returns: the rest of the
  call runs compiled.  Each transfer is recorded in ``JIT.osr_entries`` (``--stats``:
  ``jit_osr_entries``).
* **Speculation and deoptimization.**  The OSR entry also *speculates*: locals that held
  ints when the frame moved are assumed to stay ints, so their arithmetic and comparisons
  are emitted without type tests.  The assumption is checked by a guard at each loop
  header, for the speculated locals that loop reads; when it fails, the compiled code
  raises :class:`Deopt` with the frame state at the start of that block (nothing of the
  block has run yet), and the compiled function hands it to :func:`resume`: the
  interpreter frame the OSR entry emptied gets the state back and runs on from there:
  same output, same instruction count.  Deoptimizations are recorded in ``JIT.deopts``
  (``--stats``: ``jit_deopts``).  The speculating code is thrown away and the loop's
  counter restarts: when the loop is hot again, the frame moves once more, into code
  compiled without speculation (as HotSpot recompiles after an "uncommon trap").

Simplified: a frame moves when its loop's counter reaches the threshold exactly, so
other interpreter frames of the same method already on the stack (recursion) finish
interpreted; the speculated type is only "int"; a speculation that failed once is not
tried again for that loop.
"""

from __future__ import annotations

BACK_EDGES_PER_CALL = 32  # a loop iteration weighs 1/32 of a call in the hotness count


class Deopt(Exception):
    """A failed speculation in compiled code: where to resume, the frame's state, and
    which OSR entry (its loop header's offset) made the speculation."""

    def __init__(self, offset: int, locals_: list, stack: list, reason: str, entry: int):
        super().__init__(offset)
        self.offset, self.locals, self.stack, self.reason = offset, locals_, stack, reason
        self.entry = entry


def transfer(rt, frame, index: int) -> list:
    """Take the state of interpreter ``frame`` (stopped before instruction ``index``) out
    of it, as the OSR entry's arguments: its locals, then its operand stack.

    The frame is emptied (its values will live in the compiled code's host frame, where
    the collector finds them) and stays on ``rt.frames`` until the call returns.  The
    interpreter makes the call itself, so no other host frame holds the values meanwhile.
    """
    frame.pc = index
    values = frame.locals + frame.stack
    frame.locals[:] = [None] * len(frame.locals)
    frame.stack.clear()
    method = frame.method
    rt.jit.osr_entries.append((method.qualname, method.instrs[index].offset,
                               method.info.line_at(method.instrs[index].offset)))
    return values


def resume(rt, method, deopt: Deopt):
    """Deoptimize: the rest of the call runs interpreted, from ``deopt``'s state."""
    jit = rt.jit
    jit.deopts.append((method.qualname, deopt.offset, method.info.line_at(deopt.offset),
                       deopt.reason))
    key = (method.qualname, deopt.entry)
    jit.osr.pop(key, None)  # the speculating code is discarded...
    jit.unspeculated.add(key)  # ...and, when the loop is hot again, compiled without it
    method.loop_counters[method.index_of[deopt.entry]] = 0
    return rt.interpreter.resume(method, deopt)
