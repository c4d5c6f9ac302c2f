"""Hot traces: Dynamo's *next-executing-tail* (NET) selection.

Bala, Duesterwald & Banerjia, "Dynamo: a transparent dynamic optimization system",
PLDI 2000, sec. 3: a loop is entered through the target of a backward-taken branch, so
only those targets are candidate trace *heads* and only they get a counter.  When a
head's counter reaches the threshold, the path that executes next -- the *tail* -- is
recorded, block by block (Dynamo *interprets* the tail while recording it; so do we for
blocks not translated yet: a block is not compiled just to be recorded), until it comes
back to the head (a loop: the trace ends with a jump to its own start), reaches the start
of another trace, leaves translatable code, or grows too long.  The recorded blocks
become one *superblock*: one entry, several *side exits* (the branch directions the
recording did not see), compiled into one function in which the loop is a Python
``for`` loop and registers stay in locals across iterations (vlab/isa/dbt/codegen.py).

Hwang, Dongarra & Fox (2011) sec. 3.1.2.1: "basic blocks can also be extended to program
traces or super blocks to increase translation efficiency".

The recorded path, as a list of block start pcs, is what chapter 3 draws on the
control-flow graph (``Translation.blocks``).
"""
from __future__ import annotations

MAX_TRACE_BLOCKS = 16
MAX_TRACE_INSTRUCTIONS = 256


class TraceSelector:
    """Counters on backward-branch targets and the recorder of the next executing tail."""

    def __init__(self, threshold: int):
        self.threshold = threshold
        self.counters: dict = {}            # context key -> {head pc: count}
        self.recording: list | None = None  # BasicBlocks of the tail being recorded
        self.head: int | None = None
        self.length = 0
        self.base = None                    # the trace a tree path is recorded for

    def backward_taken(self, key, target: int) -> bool:
        """A backward branch/jump reached ``target``: count it; True to start recording."""
        if self.recording is not None:
            return False
        counters = self.counters.setdefault(key, {})
        count = counters.get(target, 0) + 1
        counters[target] = count
        if count < self.threshold:
            return False
        counters[target] = 0                # start again if this recording fails
        self.recording, self.head, self.length = [], target, 0
        return True

    def record(self, block) -> str:
        """Append the block about to execute; returns 'more', 'loop' (back at the head:
        the trace is complete and loops) or 'full' (complete, does not loop)."""
        if self.recording and block.start == self.head:
            return 'loop'
        self.recording.append(block)
        self.length += len(block)
        if len(self.recording) >= MAX_TRACE_BLOCKS or self.length >= MAX_TRACE_INSTRUCTIONS:
            return 'full'
        return 'more'

    def extend(self, trace, prefix) -> None:
        """Record a new path for ``trace`` (a tree): it starts with the ``prefix`` blocks
        of an existing path, then follows what executes after a hot side exit."""
        self.recording, self.head, self.base = list(prefix), trace.head, trace
        self.length = sum(len(block) for block in prefix)

    def take(self):
        """The recorded blocks; recording stops."""
        blocks = self.recording or []
        self.abort()
        return blocks

    def abort(self) -> None:
        self.recording, self.head, self.base = None, None, None

    def reset(self) -> None:
        self.counters.clear()
        self.abort()


def trace_path(blocks) -> list:
    """The instructions of a recorded trace, in path order (blocks are consecutive on
    the executed path, so each block's successor on the path is the next block)."""
    return [instr for block in blocks for instr in block.instrs]
