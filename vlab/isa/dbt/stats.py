"""What the translator did during a run: the numbers ``vlab run --stats`` prints.

All counts are deterministic (they depend only on the program and the thresholds):

``blocks_translated``  basic blocks compiled to Python functions
``traces_formed``      hot traces (superblocks) compiled
``cache_hits``         dispatches that found a translation (a chained exit counts too)
``cache_misses``       dispatches to an address with no translation (interpreted)
``chained``            dispatches that followed a chain link instead of a table lookup
``side_exits``         trace exits taken off the recorded path
``invalidations``      translations dropped because the guest wrote their code
``flushes``            whole-cache flushes (size limit, FENCE.I, SFENCE.VMA, restore)
``translated_instructions``  guest instructions retired inside translated code
``interpreted_instructions`` guest instructions retired by the interpreter
``guest_instructions_translated``  guest instructions fed to the translator
"""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class DbtStats:
    blocks_translated: int = 0
    traces_formed: int = 0
    cache_hits: int = 0
    cache_misses: int = 0
    chained: int = 0
    side_exits: int = 0
    invalidations: int = 0
    flushes: int = 0
    translated_instructions: int = 0
    interpreted_instructions: int = 0
    guest_instructions_translated: int = 0

    def as_dict(self) -> dict:
        return asdict(self)

    def text(self) -> str:
        """One ``name: value`` line per counter (what ``vlab run --stats`` prints)."""
        return '\n'.join(f'{name.replace("_", " ")}: {value}'
                         for name, value in self.as_dict().items())

    def reset(self) -> None:
        for name in self.as_dict():
            setattr(self, name, 0)
