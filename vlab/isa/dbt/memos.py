"""Forget the translator's process-wide memos, so the next translation starts cold.

Translating an instruction the second time is cheaper than the first: the translator keeps
module-level memos (``_MEMO`` dicts of instruction translations, ``functools.lru_cache``
functions such as the disassembly comments).  A measurement of translation cost (chapter
3's break-even, benchmarks/bench_dbt.py) must empty them first, as a fresh process would
start; :func:`forget_memos` does that for every module of this package.
"""

from __future__ import annotations

import importlib
import pkgutil

import vlab.isa.dbt


def forget_memos() -> int:
    """Empty every module-level ``_MEMO`` dict and every ``lru_cache`` function defined in
    a module of vlab.isa.dbt; return how many were emptied."""
    emptied = 0
    for info in pkgutil.iter_modules(vlab.isa.dbt.__path__):
        module = importlib.import_module(f"vlab.isa.dbt.{info.name}")
        for name, value in vars(module).items():
            if name == "_MEMO" and isinstance(value, dict):
                value.clear()
                emptied += 1
            elif callable(getattr(value, "cache_clear", None)) \
                    and getattr(value, "__module__", None) == module.__name__:
                value.cache_clear()
                emptied += 1
    return emptied
