"""Argument types and options that several ``vlab`` commands share (argparse).

One definition each, so every command reads a number the same way and refuses a bad
one with the same words: ``positive_int`` (instruction budgets), ``byte_count`` (caps and
quotas, zero allowed) and the ``--output-cap`` option of every command that runs guest
code (what it bounds: ``vlab.os.quota.CappedStream``).
"""

from __future__ import annotations

import argparse

from vlab.os.quota import DEFAULT_OUTPUT_CAP


def _integer(text: str) -> int:
    try:
        return int(text, 0)                  # 1000, 0x1000, 0o17, 0b101
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None


def positive_int(text: str) -> int:
    """An integer above zero (argparse ``type``)."""
    value = _integer(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def byte_count(text: str) -> int:
    """A number of bytes, zero or more (argparse ``type``)."""
    value = _integer(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be zero or more")
    return value


def add_output_cap_option(parser) -> None:
    """The ``--output-cap BYTES`` option every command that runs guests shares."""
    parser.add_argument("--output-cap", type=byte_count, default=DEFAULT_OUTPUT_CAP,
                        metavar="BYTES", help="bytes of the guest's output forwarded to "
                        "our stdout, and as many to our stderr; beyond, a line says so and "
                        "write() fails with EFBIG (default "
                        f"{DEFAULT_OUTPUT_CAP >> 20} MiB)")
