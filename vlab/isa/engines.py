"""Execution engines: the interface every engine offers, and the registry of engines by name.

An *engine* executes guest instructions on a hart: the Machine (vlab/isa/machine.py) owns
the hart, the MMU and the ledger and asks its engine to run.  Several engines implement
the same interface and must agree bit for bit (same registers, memory, traps, instret):

``'interp'``           the predecoding interpreter (vlab/isa/interpreter.py)
``'decode-dispatch'``  the textbook decode-and-dispatch loop, for comparison
                       (vlab/isa/decode_dispatch.py)
``'dbt'``              the dynamic binary translator (vlab/isa/dbt/engine.py)
``'dbt-eager'``        the same, translating every block at first sight (tests, examples)

The registry maps a name to ``'module:Class'`` and imports the module on first use, so
nothing is imported for its side effect and no engine module imports this one back.
``Machine(engine=name)``, ``vlab run --engine NAME``, the chapters
and the benchmarks all choose engines here.

How to add an engine: subclass ``Engine`` (or ``Interpreter``, to reuse its predecode
cache and exact single-step path), implement the hooks below, and ``register_engine``
it (or add a line to ``ENGINES``); the parametrized engine tests in tests/isa then run it.

The hooks the Machine calls (the engine interface):

``run(limit) -> retired``      execute up to ``limit`` instructions on the fast path; stop
                               early after a trap or an instruction needing the exact path
``step() -> retired``          execute exactly one instruction on the exact path (1, or 0
                               when it trapped)
``trap``                       after either: None, or ``(Trap, pc)`` for the machine to take
``context_changed()``          privilege, mstatus or satp may have changed: pick the caches
                               of the new ``context`` (vlab/isa/context.py)
``invalidate(offset, size)``   RAM bytes were written: drop code made from them
``flush(paged_only=False)``    FENCE.I (everything) / SFENCE.VMA (translated contexts only)
``set_tracer(tracer)``         tracing on (a vlab.isa.trace.Tracer) or off (None)
``charge_ledger()``            charge the events counted in bulk, and zero the counters
"""
from __future__ import annotations

import importlib


class Engine:
    """The engine interface (see the module docstring); subclasses implement the hooks."""

    name = 'engine'

    def __init__(self, hart, mmu, ledger, on_retire=None):
        self.hart, self.mmu, self.ledger = hart, mmu, ledger
        self.on_retire = on_retire or (lambda n: None)   # the machine's clock
        self.tracer = None
        self.trap = None                  # None or (Trap, pc), after run/step
        self.context = None               # the ExecutionContext of the current caches

    def run(self, limit: int) -> int:
        raise NotImplementedError(f'{type(self).__name__} does not implement run()')

    def step(self) -> int:
        raise NotImplementedError(f'{type(self).__name__} does not implement step()')

    def context_changed(self) -> None:
        raise NotImplementedError(f'{type(self).__name__} does not implement '
                                  'context_changed()')

    def invalidate(self, ram_offset: int, size: int) -> None:
        """Nothing cached by default."""

    def flush(self, paged_only: bool = False) -> None:
        """Nothing cached by default."""

    def set_tracer(self, tracer) -> None:
        self.tracer = tracer
        self.context_changed()

    def charge_ledger(self) -> None:
        """Nothing counted in bulk by default."""


ENGINES: dict[str, str | type] = {
    'interp': 'vlab.isa.interpreter:Interpreter',
    'decode-dispatch': 'vlab.isa.decode_dispatch:DecodeAndDispatch',
    'dbt': 'vlab.isa.dbt.engine:DbtEngine',
    'dbt-eager': 'vlab.isa.dbt.engine:EagerDbtEngine',
}
#: The engines meant for running programs (decode-dispatch is a teaching model: slow).
RUNNING_ENGINES = ('interp', 'dbt', 'dbt-eager')


def register_engine(name: str, engine: str | type) -> None:
    """Make ``Machine(engine=name)`` available: ``engine`` is an Engine subclass or the
    ``'module:Class'`` path of one (imported on first use)."""
    if not isinstance(engine, str) and not (isinstance(engine, type)
                                            and issubclass(engine, Engine)):
        raise TypeError(f'engine {name!r} must be an Engine subclass or a '
                        f"'module:Class' path, got {engine!r}")
    ENGINES[name] = engine


def engine_class(name: str) -> type:
    """The engine class registered as ``name`` (its module imported now if needed)."""
    entry = ENGINES.get(name)
    if entry is None:
        raise ValueError(f"unknown engine {name!r}; available: {', '.join(sorted(ENGINES))}")
    if isinstance(entry, str):
        module, _, attribute = entry.partition(':')
        entry = ENGINES[name] = getattr(importlib.import_module(module), attribute)
    return entry


__all__ = ['ENGINES', 'Engine', 'RUNNING_ENGINES', 'engine_class', 'register_engine']
