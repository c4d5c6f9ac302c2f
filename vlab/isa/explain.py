"""Hooks that let chapter 2 show what the interpreter does, without reaching into it.

The interpreter (vlab/isa/interpreter.py) and the machine (vlab/isa/machine.py) know their
own code; a chapter asks them through these functions instead of naming private methods
or searching source text itself:

``dispatch_loop_source()``    the few lines of ``Interpreter.run`` a reader should see: the
                              ``try`` around the dispatch loop and its predecode-on-miss
                              ``except`` clause (found by their text, so the excerpt follows
                              the code)
``interpreter_part(qualname)``  which part of an interpreter a Python function (by its
                              ``co_qualname``) belongs to: ``dispatch loop``, ``fetch +
                              decode``, ``semantics`` or ``machine`` (:data:`PARTS`); the
                              split of the host work per guest instruction (Hwang, Dongarra
                              & Fox 2011, sec. 3.1.2.1: tens or hundreds of host instructions
                              per source instruction)
``machine_loop_file()``       the file of the machine's own run loop (budget, interrupts,
                              trap delivery): the same work whichever engine runs, so a
                              count of engine work leaves its frames out;
                              ``machine_loop_files()`` adds the trap router and actions
"""

from __future__ import annotations

import inspect
import re

from vlab.isa import machine
from vlab.isa.interpreter import Interpreter

PARTS = ("dispatch loop", "fetch + decode", "semantics", "machine")

#: The engines' dispatch loops (the predecoding interpreter, the decode-and-dispatch one).
_LOOP_QUALNAMES = frozenset({"Interpreter.run", "DecodeAndDispatch.run"})
#: Functions that fetch, decode or bind an instruction to its semantics.
_DECODE_NAMES = frozenset({
    "find_spec", "decode_fields", "decode", "bits", "sign_extend", "_imm_i", "_imm_s",
    "_imm_b", "_imm_j", "_rd", "_rs1", "_rs2", "fetch", "make_handler", "fetch_and_decode",
    "_translate_fetch", "bind", "factory", "<lambda>"})
#: Memory helpers called by the semantics of loads, stores and atomics.
_MEMORY_PREFIXES = ("_load_", "_store_", "load_reserved", "store_conditional", "amo_load")
#: Handlers compiled from the ISA table are named ``_h_<instruction>``.
_HANDLER_PREFIX = "_h_"


def interpreter_part(qualname: str) -> str:
    """Which of :data:`PARTS` the function with ``__qualname__`` ``qualname`` belongs to."""
    name = qualname.rsplit(".", 1)[-1]
    if qualname in _LOOP_QUALNAMES:
        return "dispatch loop"
    if name.startswith(_HANDLER_PREFIX) or name.startswith(_MEMORY_PREFIXES):
        return "semantics"
    if name in _DECODE_NAMES and "Machine" not in qualname:
        return "fetch + decode"
    return "machine"


def dispatch_loop_source() -> str:
    """The heart of vlab's interpreter: the ``try`` around the dispatch loop of
    ``Interpreter.run`` and its first ``except`` clause (the predecode-on-miss path)."""
    lines = inspect.getsource(Interpreter.run).splitlines()
    loop = next(i for i, line in enumerate(lines) if "for i in range(n)" in line)
    start = loop - 1                                          # the `try:` line
    indent = len(lines[start]) - len(lines[start].lstrip())
    clauses = [i for i, line in enumerate(lines) if i > loop and line.strip()
               and len(line) - len(line.lstrip()) == indent]  # except/else of that try
    stop = clauses[1] if len(clauses) > 1 else len(lines)
    return "\n".join(without_linter_marker(line[indent:]) for line in lines[start:stop])


_LINTER_MARKER = re.compile(r"#\s*noqa(?::\s*[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)?\s*(?:-\s*)?")


def without_linter_marker(line: str) -> str:
    """A source line as a student should read it: a ``# noqa: B007 - why`` comment
    becomes ``# why`` (a marker alone disappears); the code is unchanged."""
    plain = _LINTER_MARKER.sub("# ", line).rstrip()
    return plain[:-1].rstrip() if plain.endswith("#") else plain


def machine_loop_files() -> frozenset[str]:
    """The source files of the machine's run loop and of its trap delivery (the router
    and the typed actions a handler returns): a count of engine work leaves them out."""
    from vlab.isa import trap_actions, trap_router
    return frozenset({machine.__file__, trap_actions.__file__, trap_router.__file__})


def machine_loop_file() -> str:
    """The source file of the machine's run loop (what a frame's ``co_filename`` says)."""
    return machine.__file__
