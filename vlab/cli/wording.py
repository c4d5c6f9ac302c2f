"""Small helpers for the command line's English."""

from __future__ import annotations


def count(number: int, noun: str, plural: str | None = None) -> str:
    """``count(1, 'student')`` is '1 student', ``count(2, 'student')`` '2 students'."""
    word = noun if number == 1 else (plural or noun + "s")
    return f"{number:,} {word}"
