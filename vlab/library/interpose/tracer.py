"""ltrace: the library calls a program makes, with their arguments and results.

``trace(program)`` stops the program at the entry and the return of every libc function
it calls that has a prototype in ``signatures.py`` and prints each call as ltrace does::

    fopen("config.txt", "r") = 0x80421a30

Each stop is charged as ``lib_trace_stop`` (a trap to the tracer and back), so the
ledger shows why tracing slows a program down and a preloaded hook hardly does.
"""

from __future__ import annotations

from .session import Call, Session
from .signatures import PROTOTYPES


def trace(program, *, hooks=(), root=None, stdin: bytes = b"", argv=None,
          max_instructions: int = 20_000_000) -> Session:
    """Run ``program`` traced; the session's ``calls`` are the program's library calls."""
    return Session(program, functions=PROTOTYPES, hooks=hooks, trace=True, root=root,
                   stdin=stdin, argv=argv, max_instructions=max_instructions).run()


def format_call(call: Call) -> str:
    """One line in ltrace's format; a hooked call names its hook."""
    kind = PROTOTYPES.get(call.name, ("", "i"))[1]
    if call.result is None:
        result = "<no return>"
    elif kind == "p":
        result = f"{call.result:#x}"
    elif kind == "":
        result = "<void>"
    else:
        result = str(call.result - (1 << 32) if call.result & 0x8000_0000 else call.result)
    line = f"{call.name}({', '.join(call.shown_args)}) = {result}"
    return f"{line:<58} [{call.hooked}]" if call.hooked else line


def format_trace(session: Session) -> str:
    return "\n".join(format_call(call) for call in session.calls)
