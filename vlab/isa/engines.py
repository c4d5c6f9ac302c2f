"""Execution engines: name -> a factory that builds a Machine running with that engine.

``ENGINES['interp']`` is the predecoding interpreter (vlab/isa/interpreter.py).  Other
engines (the dynamic binary translator: ``'dbt'``) register themselves here with
``register_engine``; ``vlab run --engine NAME`` and the benchmark pick them by name.  A
factory takes the Machine's keyword arguments (``ram_size``, ``costs``...) and returns a
ready Machine.
"""

from __future__ import annotations

from vlab.isa.machine import Machine


def _interpreter(**machine_args) -> Machine:
    return Machine(engine="interp", **machine_args)


ENGINES = {"interp": _interpreter}


def register_engine(name: str, factory) -> None:
    """Make ``factory(**machine_args) -> Machine`` available as engine ``name``."""
    ENGINES[name] = factory


def make_machine(engine: str = "interp", **machine_args) -> Machine:
    """A new Machine running on ``engine``; a clear error names the available engines."""
    factory = ENGINES.get(engine)
    if factory is None:
        raise ValueError(f"unknown engine {engine!r}; available: {', '.join(sorted(ENGINES))}")
    return factory(**machine_args)
import vlab.isa.dbt  # noqa: E402,F401 - registers the DBT engines ("dbt", "dbt-eager")
