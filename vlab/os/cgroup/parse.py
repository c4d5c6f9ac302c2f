"""Reading and writing cgroup interface files: the value formats of cgroup v2.

Documentation/admin-guide/cgroup-v2.rst, "Interface Files / Format" names four formats,
all used here:

* a single value (``pids.max``: ``max`` or a number),
* space-separated values (``cgroup.controllers``: ``cpu io memory pids``),
* flat keyed (``cpu.stat``: one ``KEY VALUE`` per line),
* nested keyed (``io.max``: ``MAJ:MIN KEY=VALUE KEY=VALUE ...`` per line).

The special token ``max`` stands for "no limit" both when read and when written
(``None`` in the model).  Amounts of memory accept the kernel's ``memparse`` suffixes
(lib/cmdline.c: K, M, G, T, P, E, powers of 1024, either case).

A value the kernel would refuse raises ``SyscallError`` with the kernel's errno (EINVAL
for what does not parse, ERANGE for a number out of range, as the kernel's handlers
return them) and a ``why`` that names the file, the value and what is accepted.
"""

from __future__ import annotations

from ..errno import EINVAL, ERANGE, SyscallError

MAX = "max"                                  # the token for "no limit"

# lib/cmdline.c memparse(): each suffix shifts the number left by 10 more bits.
MEMPARSE_SHIFT = {"k": 10, "m": 20, "g": 30, "t": 40, "p": 50, "e": 60}


def invalid(file: str, value: str, accepted: str, errno: int = EINVAL) -> SyscallError:
    """The error for a value ``file`` does not accept (to raise)."""
    shown = value if len(value) <= 40 else value[:40] + "..."
    return SyscallError(errno, f"{file}: {shown!r} is not accepted; write {accepted}")


def single_token(file: str, text: str, accepted: str) -> str:
    """The one whitespace-free token of a single-value write (a trailing newline is fine,
    as from ``echo``)."""
    tokens = text.split()
    if len(tokens) != 1:
        raise invalid(file, text.strip(), accepted)
    return tokens[0]


def parse_uint(file: str, token: str, accepted: str) -> int:
    """A decimal unsigned number (kstrtoull): digits only."""
    if not token.isascii() or not token.isdigit():
        raise invalid(file, token, accepted)
    return int(token)


def parse_limit(file: str, text: str, *, low: int = 0, high: int | None = None,
                accepted: str | None = None) -> int | None:
    """``max`` (None) or a number in [low, high] (out of range: ERANGE)."""
    accepted = accepted or (f"'max' or a number from {low}"
                            + (f" to {high}" if high is not None else ""))
    token = single_token(file, text, accepted)
    if token == MAX:
        return None
    value = parse_uint(file, token, accepted)
    if value < low or (high is not None and value > high):
        raise invalid(file, token, accepted, ERANGE)
    return value


def memparse(file: str, token: str, accepted: str) -> int:
    """A byte count with an optional K/M/G/T/P/E suffix (lib/cmdline.c ``memparse``)."""
    suffix = token[-1:].lower()
    shift = MEMPARSE_SHIFT.get(suffix, 0)
    digits = token[:-1] if shift else token
    return parse_uint(file, digits, accepted) << shift


def parse_bytes_limit(file: str, text: str) -> int | None:
    """``max`` (None) or a byte count with memparse suffixes (``memory.max``)."""
    accepted = "'max' or a number of bytes (suffixes K, M, G allowed, e.g. 64M)"
    token = single_token(file, text, accepted)
    if token == MAX:
        return None
    return memparse(file, token, accepted)


def format_limit(value: int | None) -> str:
    """``max`` for None, else the number (one line)."""
    return (MAX if value is None else str(value)) + "\n"


def format_flat(pairs) -> str:
    """A flat-keyed file: ``KEY VALUE`` per line, in the given order."""
    return "".join(f"{key} {value}\n" for key, value in pairs)


def parse_device(file: str, token: str, accepted: str) -> tuple[int, int]:
    """A ``MAJ:MIN`` device number."""
    major, sep, minor = token.partition(":")
    if not sep:
        raise invalid(file, token, accepted)
    return parse_uint(file, major, accepted), parse_uint(file, minor, accepted)


def parse_nested(file: str, text: str, keys: tuple[str, ...],
                 accepted: str) -> tuple[tuple[int, int], dict[str, str]]:
    """One line of a nested-keyed file: ``MAJ:MIN KEY=VALUE ...`` -> (device, {key: value});
    the keys may come in any order and any subset, each one of ``keys``."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) != 1:
        raise invalid(file, text.strip(), accepted)
    tokens = lines[0].split()
    device = parse_device(file, tokens[0], accepted)
    values: dict[str, str] = {}
    for token in tokens[1:]:
        key, sep, value = token.partition("=")
        if not sep or key not in keys or not value:
            raise invalid(file, token, accepted)
        values[key] = value
    return device, values
