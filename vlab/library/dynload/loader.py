"""Link a dynamically linked program in memory: what ld.so does before ``_start``.

1. Read the program; its PT_INTERP names the interpreter it wants -- vlab's loader
   stands in for it.
2. Build the **scope**: the program, then the ``LD_PRELOAD`` objects, then the
   DT_NEEDED libraries, breadth first, each loaded once (ld.so(8), "LD_PRELOAD").
   Shared objects are placed one after the other from ``LIB_BASE``.
3. **Relocate** each object (RISC-V psABI, "Relocations"): ``R_RISCV_RELATIVE`` adds the
   object's base, ``R_RISCV_32`` stores a symbol's address, ``R_RISCV_JUMP_SLOT`` fills a
   PLT slot of the GOT.  A symbol is looked up in scope order: the first object that
   defines it wins -- which is how a preloaded library *interposes* on a function.
4. **Lazy binding** (``lazy=True``): JUMP_SLOT slots keep pointing at the PLT header,
   whose GOT[0] is the resolver's address and GOT[1] the object's number; the first call
   through a slot enters the resolver (``run.py``), which looks the symbol up, writes the
   slot and continues at the function.  Later calls go straight through the slot.

Errors (a missing library, an undefined symbol, an unsupported relocation) are
:class:`~.dynobject.DynLoadError` naming the object and the symbol.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

from vlab.isa.elf.reader import ElfImage, Segment

from .dynobject import DynLoadError, DynObject, Reloc, read_object

R_RISCV_32, R_RISCV_RELATIVE, R_RISCV_JUMP_SLOT = 1, 3, 5
RELOC_NAMES = {R_RISCV_32: "R_RISCV_32", R_RISCV_RELATIVE: "R_RISCV_RELATIVE",
               R_RISCV_JUMP_SLOT: "R_RISCV_JUMP_SLOT"}
LIB_BASE = 0x4000_0000
LIB_ALIGN = 0x10_0000
RESOLVER = 0x3FFF_F000          # the lazy resolver's entry: one page holding a 'ret'
RET = 0x0000_8067
PF_X, PF_R = 1, 4


@dataclass
class Linked:
    """A program linked with its libraries, ready for the host kernel's exec."""

    objects: list[DynObject]
    image: ElfImage
    lazy: bool
    lazy_slots: dict = field(default_factory=dict)  # (object number, slot) -> Reloc
    relocations: dict = field(default_factory=dict)  # R_RISCV_* name -> count applied

    def lookup(self, symbol: str, requester: str) -> tuple[int, DynObject]:
        for obj in self.objects:
            if symbol in obj.symbols:
                return obj.base + obj.symbols[symbol], obj
        raise DynLoadError(f"undefined symbol {symbol!r} (needed by {requester}); "
                           f"the scope is {', '.join(o.name for o in self.objects)}")


def link(program, lib_dirs=(), preload=(), lazy: bool = True) -> Linked:
    exe = read_object(program)
    if exe.kind != "ET_EXEC":
        raise DynLoadError(f"{exe.name} is {exe.kind}: the loader runs executables "
                           "(ET_EXEC) and loads shared objects (ET_DYN) for them")
    dirs = [Path(d) for d in lib_dirs]
    objects, seen = [exe], {exe.name}
    queue = [(name, "LD_PRELOAD") for name in preload] + [(n, exe.name) for n in exe.needed]
    next_base = LIB_BASE
    while queue:
        name, who = queue.pop(0)
        if Path(name).name in seen:
            continue
        obj = read_object(_find(name, who, dirs))
        if obj.kind != "ET_DYN":
            raise DynLoadError(f"{name} (needed by {who}) is not a shared object")
        obj.base = next_base
        next_base += -(-obj.span // LIB_ALIGN) * LIB_ALIGN
        objects.append(obj)
        seen.add(obj.name)
        queue += [(n, obj.name) for n in obj.needed]
    linked = Linked(objects, None, lazy)
    memory = {id(o): [(o.base + v, bytearray(d), m, f) for v, d, m, f in o.segments]
              for o in objects}
    for number, obj in enumerate(objects):
        plt_index = 0
        for reloc in obj.relocs:
            value = _relocate(linked, obj, reloc, memory[id(obj)])
            if reloc.type == R_RISCV_JUMP_SLOT and lazy:
                linked.lazy_slots[(number, plt_index)] = reloc
                plt_index += 1
                value = _word(memory[id(obj)], obj.base + reloc.offset, obj) + obj.base
            _store(memory[id(obj)], obj.base + reloc.offset, value, obj)
            name = RELOC_NAMES[reloc.type]
            linked.relocations[name] = linked.relocations.get(name, 0) + 1
        if lazy and obj.pltgot is not None and plt_index:
            _store(memory[id(obj)], obj.base + obj.pltgot, RESOLVER, obj)
            _store(memory[id(obj)], obj.base + obj.pltgot + 4, number, obj)
    segments = [Segment(va, bytes(data), memsz, flags)
                for obj in objects for va, data, memsz, flags in memory[id(obj)]]
    segments.append(Segment(RESOLVER, struct.pack("<I", RET), 4, PF_R | PF_X))
    linked.image = ElfImage(entry=exe.entry, segments=segments, symbols={})
    return linked


def _find(name: str, who: str, dirs: list[Path]) -> Path:
    if "/" in name:
        if Path(name).is_file():
            return Path(name)
    for directory in dirs:
        if (directory / name).is_file():
            return directory / name
    raise DynLoadError(f"{name} (needed by {who}) not found in "
                       f"{', '.join(map(str, dirs)) or 'no library directory'}")


def _relocate(linked: Linked, obj: DynObject, reloc: Reloc, memory) -> int:
    if reloc.type == R_RISCV_RELATIVE:
        return obj.base + reloc.addend
    if reloc.type in (R_RISCV_32, R_RISCV_JUMP_SLOT):
        if reloc.type == R_RISCV_JUMP_SLOT and linked.lazy:
            return 0                                # filled from the PLT header below
        address, owner = linked.lookup(reloc.symbol, obj.name)
        obj.bound[reloc.symbol] = (owner.name, address)
        return address + reloc.addend
    raise DynLoadError(f"{obj.name}: unsupported relocation type {reloc.type} at "
                       f"{reloc.offset:#x} (the loader knows "
                       f"{', '.join(RELOC_NAMES.values())})")


def _segment_of(memory, address: int, obj: DynObject):
    for va, data, _memsz, _flags in memory:
        if va <= address and address + 4 <= va + len(data):
            return va, data
    raise DynLoadError(f"{obj.name}: relocation target {address:#x} is outside its "
                       "loaded segments")


def _word(memory, address: int, obj: DynObject) -> int:
    va, data = _segment_of(memory, address, obj)
    return struct.unpack_from("<I", data, address - va)[0]


def _store(memory, address: int, value: int, obj: DynObject) -> None:
    va, data = _segment_of(memory, address, obj)
    struct.pack_into("<I", data, address - va, value & 0xFFFF_FFFF)
