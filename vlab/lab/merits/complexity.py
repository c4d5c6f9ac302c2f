"""Implementation complexity: how much code, how branchy, how many mechanisms per level.

**The boundary of a level's code** is its package in vlab (ARCHITECTURE.md's ranks): the
ISA level is ``vlab/isa``, the hardware level ``vlab/hardware`` and the hosted
hypervisors of ``vlab/hosted``, the OS level ``vlab/os``,
the library level ``vlab/library``, the application level ``vlab/application``.  Only a
level's *own* code is counted: every level above the ISA also runs on ``vlab/isa`` (the
machine) and the library level on ``vlab/os`` (the kernel it translates to), which is
not charged to it.  Chapter helpers (``vlab/lab``), the CLI and tests are not counted.

Measured with lizard (a well-kept code-metrics library, Terry Yin): non-comment lines of
code (NLOC), and McCabe's cyclomatic complexity (1976) summed over all functions -- the
number of independent paths a tester must cover.

**Mechanisms** are counted from each level's own public tables (never by searching its
source): instructions and engines (ISA), privileged-instruction emulators and CPU
methods (hardware), system calls served (OS), foreign API functions, translated foreign
system calls and remoting transports (library), bytecode opcodes (application).

Score rule (:data:`COMPLEXITY_RULE`): the lecture rates "implementation complexity"
higher for a level that is costlier to build, so the score grows with the summed
cyclomatic complexity, on a log scale between the simplest and the most complex level:
1 + 4 x (ln CC - ln CC_min) / (ln CC_max - ln CC_min), rounded.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import lizard

PACKAGE = Path(__file__).resolve().parents[2]
LEVEL_CODE: dict[str, tuple[str, ...]] = {
    "isa": ("isa",), "hardware": ("hardware", "hosted"), "os": ("os",),
    "library": ("library",), "application": ("application",)}
COMPLEXITY_RULE = ("1 + 4 x (ln CC - ln CC_min) / (ln CC_max - ln CC_min), rounded "
                   "(CC: summed cyclomatic complexity)")


def _isa() -> dict[str, int]:
    from vlab.isa import engines, spec
    return {"instructions": len(spec.INSTRUCTIONS), "engines": len(engines.ENGINES)}


def _hardware() -> dict[str, int]:
    from vlab.hardware import privileged, vm
    return {"privileged-instruction emulators": len(privileged.EMULATORS),
            "CPU-virtualization methods": len(vm.CPU_METHODS)}


def _os() -> dict[str, int]:
    from vlab.os import syscall
    return {"system calls": len(syscall.TABLE)}


def _library() -> dict[str, int]:
    from vlab.library.accel import transport
    from vlab.library.foreign import kernel32
    from vlab.library.lxrun import translate
    return {"Win32 functions": len(kernel32.API),
            "translated BSD system calls": len(translate.BSD_CALLS),
            "remoting transports": len(transport.TRANSPORTS)}


def _application() -> dict[str, int]:
    from vlab.application.hll import opcodes
    return {"bytecode opcodes": len(opcodes.TABLE)}


MECHANISMS: dict[str, Callable[[], dict[str, int]]] = {
    "isa": _isa, "hardware": _hardware, "os": _os, "library": _library,
    "application": _application}


@dataclass(frozen=True)
class Complexity:
    """One level's code measured."""

    files: int
    nloc: int
    functions: int
    cyclomatic: int              # summed over every function
    mechanisms: dict[str, int]

    @property
    def mechanism_count(self) -> int:
        return sum(self.mechanisms.values())


def measure(level: str) -> Complexity:
    files = sorted(path for package in LEVEL_CODE[level]
                   for path in (PACKAGE / package).rglob("*.py"))
    nloc = functions = cyclomatic = 0
    for path in files:
        info = lizard.analyze_file(str(path))
        nloc += info.nloc
        functions += len(info.function_list)
        cyclomatic += sum(f.cyclomatic_complexity for f in info.function_list)
    return Complexity(len(files), nloc, functions, cyclomatic, MECHANISMS[level]())


def table() -> dict[str, Complexity]:
    return {level: measure(level) for level in LEVEL_CODE}


def scores(measured: dict[str, Complexity]) -> dict[str, int]:
    """:data:`COMPLEXITY_RULE` applied to every level."""
    logs = {level: math.log(max(c.cyclomatic, 1)) for level, c in measured.items()}
    low, high = min(logs.values()), max(logs.values())
    span = (high - low) or 1.0
    return {level: round(1 + 4 * (value - low) / span) for level, value in logs.items()}
