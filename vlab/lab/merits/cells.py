"""One cell of a merits table: a measured value, or the reason there is none.

The suite never invents a number (issue 17, "bad input"): a level that is not built, or
that fails on a workload, gives an :class:`Absent` cell whose ``reason`` says why, and
the table prints that reason instead of a figure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Absent:
    """No measurement: ``reason`` says why (not built, failed, not applicable)."""

    reason: str

    def __str__(self) -> str:
        return f"absent: {self.reason}"


class Unavailable(Exception):
    """Raised by a runner when its level cannot run the workload; becomes an Absent."""


def attempt(run: Callable[[], Any]) -> Any:
    """``run()``, or an :class:`Absent` cell with the reason it could not give a value.

    Any exception becomes the reason (its type and first line): a level being finished
    by others may fail in ways this suite cannot foresee, and the table must still print.
    """
    try:
        return run()
    except Unavailable as exc:
        return Absent(str(exc))
    except Exception as exc:  # noqa: BLE001 -- a failing level is a cell, not a crash
        first = (str(exc).splitlines() or [""])[0][:120]
        return Absent(f"failed: {type(exc).__name__}: {first}")
