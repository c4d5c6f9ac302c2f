"""Hook libraries: what an ``LD_PRELOAD`` library does, as Python objects.

A hook names the libc ``function`` it stands in front of and an ``enter(stop)`` method
that runs when the program calls it (``session.Stop``): it may change the arguments and
let the real function run (``RedirectPath``), or answer the call itself so the real
function never runs (``FakeClock``).  The program is not changed: the same executable
runs with or without hooks.

``PRELOADS`` maps the names of ``vlab lib run --preload NAME:ARG`` to hook builders.
"""

from __future__ import annotations

import struct


class RedirectPath:
    """``fopen(OLD, mode)`` opens NEW instead: a path rewriting shim (as in fakechroot)."""

    function = "fopen"

    def __init__(self, old: str, new: str):
        self.old, self.new = old, new

    def enter(self, stop) -> None:
        if stop.string(0) == self.old:
            stop.set_string(0, self.new)
            stop.call.shown_args[0] = f'"{self.old}" -> "{self.new}"'


class FakeClock:
    """``time(tloc)`` returns a fixed time: the libfaketime idea.  The real ``time``
    (and its system call) never runs.  musl's ``time_t`` is 64-bit on 32-bit targets
    (musl 1.2 "time64"), so the result goes back in a0 (low) and a1 (high)."""

    function = "time"

    def __init__(self, seconds: int):
        self.seconds = seconds

    def enter(self, stop) -> None:
        tloc = stop.arg(0)
        if tloc:
            stop.write(tloc, struct.pack("<q", self.seconds))
        stop.answer(self.seconds)
        stop.regs[11] = (self.seconds >> 32) & 0xFFFF_FFFF


class HookSpecError(ValueError):
    """A ``--preload`` argument that names no hook or has a bad argument."""


def _redirect(arg: str) -> RedirectPath:
    old, sep, new = arg.partition("=")
    if not sep or not old or not new:
        raise HookSpecError(f"redirect needs OLD=NEW (e.g. redirect:config.txt=other.txt), "
                            f"got {arg!r}")
    return RedirectPath(old, new)


def _fakeclock(arg: str) -> FakeClock:
    try:
        return FakeClock(int(arg))
    except ValueError:
        raise HookSpecError(f"fakeclock needs seconds since 1970 (e.g. fakeclock:0), "
                            f"got {arg!r}") from None


PRELOADS = {"redirect": _redirect, "fakeclock": _fakeclock}


def parse_preload(spec: str):
    """``NAME:ARG`` -> a hook, or HookSpecError naming the known hooks."""
    name, _, arg = spec.partition(":")
    if name not in PRELOADS:
        raise HookSpecError(f"no hook library {name!r}: choose one of "
                            f"{', '.join(sorted(PRELOADS))} (as NAME:ARG)")
    return PRELOADS[name](arg)
