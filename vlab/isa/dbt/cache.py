"""The translation cache (QEMU's "TB cache", Dynamo's "fragment cache").

A translation is valid only for the code bytes it was made from and for the way the
hart sees them, so it is kept under everything that decides that:

* the guest **pc** of its first instruction;
* the **context** the interpreter keys its predecode caches by (vlab/isa/interpreter.py):
  privilege level when fetches are translated, whether data accesses are translated,
  and ``satp`` (the address space: root page table and ASID) when either is -- the same
  virtual pc in two processes is two different translations.

Invalidation.  Every instruction of a translation was read from the interpreter's
predecode cache, so the interpreter already knows which RAM words hold it and already
watches those pages (stores to them leave the fast path).  When it drops a predecoded
instruction because the guest wrote its word, the cache drops every translation that
contains that instruction (``drop_covering``).  FENCE.I drops everything; SFENCE.VMA
drops the translations of translated (paged) contexts.

Size limit and flush policy.  The cache holds at most ``limit`` guest instructions of
translated code.  When a new translation does not fit, the whole cache is flushed and
translation starts again from empty -- QEMU's policy when its code buffer fills
(``tb_flush``) and Dynamo's "preemptive flush" (Bala et al., PLDI 2000, sec. 4): simple,
and it also throws away translations of phases the program has left.
"""
from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_LIMIT = 100_000          # guest instructions of translated code


@dataclass(eq=False)
class Translation:
    """One compiled region: a basic block or a trace."""

    kind: str                        # 'block' or 'trace'
    region: object                   # vlab.isa.dbt.codegen.Region (source, exits, path)
    fn: object                       # the compiled function fn(R, k0)
    blocks: tuple = ()               # start pcs of the blocks on the path (traces)
    valid: bool = True
    links: list = field(default_factory=list)

    def __post_init__(self):
        self.links = [None] * len(self.region.exits)
        self.block_paths = []            # traces: each path as BasicBlocks
        self.side_counts = {}            # traces: exit id -> times taken
        self.length = max(len(path) for path in self.region.paths)
        self.loops = self.region.loops
        self.exits = self.region.exits
        self.head = self.region.head

    @property
    def paths(self) -> list[list[int]]:
        """A trace's paths, each as the list of its block start pcs (a tree has several)."""
        return [[block.start for block in path] for path in self.block_paths]

    @property
    def source(self) -> str:
        return self.region.source

    @property
    def pcs(self) -> list[int]:
        """Every guest instruction address the translation holds."""
        return sorted({instr.pc for path in self.region.paths for instr in path})


class TranslationCache:
    """Translations by (context, pc), an index for invalidation, and the size limit."""

    def __init__(self, stats, limit: int = DEFAULT_LIMIT):
        self.stats, self.limit = stats, limit
        self.tables: dict = {}               # context key -> {pc: Translation}
        self.paged: dict = {}                # context key -> does it translate addresses
        self.covering: dict = {}             # (id(predecode cache), pc) -> [Translation]
        self.size = 0                        # guest instructions held

    def table(self, key, paged: bool) -> dict:
        table = self.tables.get(key)
        if table is None:
            table = self.tables[key] = {}
            self.paged[key] = paged
        return table

    def insert(self, key, predecoded: dict, translation: Translation) -> bool:
        """Add ``translation`` (replacing one at the same pc); False if the cache had to
        be flushed first, which also empties ``table``."""
        flushed = False
        if self.size + translation.length > self.limit:
            self.flush()
            flushed = True
        table = self.tables[key]
        old = table.get(translation.head)
        if old is not None:
            old.valid = False
        table[translation.head] = translation
        self.size += translation.length
        for pc in translation.pcs:
            self.covering.setdefault((id(predecoded), pc), []).append(translation)
        return not flushed

    def drop_covering(self, predecoded: dict, pc: int) -> bool:
        """The instruction at ``pc`` of that predecode cache changed: drop translations
        holding it.  Returns True when one was dropped."""
        dropped = False
        for translation in self.covering.pop((id(predecoded), pc), ()):
            if translation.valid:
                translation.valid = False
                dropped = True
                self.stats.invalidations += 1
                for table in self.tables.values():
                    if table.get(translation.head) is translation:
                        del table[translation.head]
        return dropped

    def flush(self, paged_only: bool = False) -> None:
        """Drop every translation (or only those of paged contexts)."""
        for key, table in self.tables.items():
            if paged_only and not self.paged[key]:
                continue
            for translation in table.values():
                translation.valid = False
                self.size -= translation.length
            table.clear()
        if not paged_only:
            self.covering.clear()
        self.stats.flushes += 1

    def all(self):
        """Every live translation (for explaining), in a stable order."""
        return [t for key in self.tables for t in self.tables[key].values() if t.valid]
