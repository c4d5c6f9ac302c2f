"""Block chaining: an exit of one translation points straight at the next translation.

QEMU patches the jump at the end of a translated block so that it goes directly to the
next block, skipping the dispatcher's hash-table lookup (Bellard, "QEMU, a Fast and
Portable Dynamic Translator", USENIX 2005, sec. 2.5 "Direct block chaining").  In Python
we cannot patch a jump, but we can keep the same idea as data: each *static* exit of a
``Translation`` (a branch or JAL target, a fall-through) has a slot in ``links``; the
first time the exit is taken the slot is filled with the successor translation, and
from then on the dispatcher follows the slot instead of looking the pc up in the cache
(and skips the hot-counting done on a miss).  Exits with a computed target (JALR) are
never chained, as in QEMU before its "lookup and goto_ptr".

Unchaining: a link is only followed while its target is still ``valid``; invalidation
(self-modifying code, flushes) and replacement of a block by a trace clear ``valid``, so
stale links are dropped lazily, the next time they are used.
"""
from __future__ import annotations


def follow(translation, exit_id: int, table: dict, stats):
    """The successor translation for ``exit_id`` of ``translation`` (or None)."""
    link = translation.links[exit_id]
    if link is not None:
        if link.valid:
            stats.chained += 1
            return link
        translation.links[exit_id] = None
    target = translation.exits[exit_id][0]
    if target is None:
        return None
    successor = table.get(target)
    if successor is not None:
        translation.links[exit_id] = successor
    return successor
