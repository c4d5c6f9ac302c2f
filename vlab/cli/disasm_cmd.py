"""``vlab disasm FILE.elf`` or ``vlab disasm --hex WORD...``: objdump-style disassembly.

For an ELF file, every executable segment is listed with its symbols as labels.
Errors (unreadable or malformed file, bad hex word) go to stderr with exit status 1.
"""

from __future__ import annotations

import sys

from vlab.isa.disasm import disassemble, disassemble_program
from vlab.isa.elf import ElfFormatError, load_elf


def add_arguments(parser) -> None:
    parser.add_argument("file", nargs="?", metavar="FILE.elf", help="an RV32 ELF executable")
    parser.add_argument("--hex", nargs="+", metavar="WORD",
                        help="disassemble 32-bit words given in hex (e.g. 00150513)")
    parser.add_argument("--pc", default="0", metavar="ADDR",
                        help="address of the first --hex word (for branch targets)")


def run(args) -> int:
    if (args.file is None) == (args.hex is None):
        print("vlab disasm: give either FILE.elf or --hex WORD...", file=sys.stderr)
        return 1
    return _words(args.hex, args.pc) if args.hex else _elf(args.file)


def _words(texts: list[str], pc_text: str) -> int:
    try:
        pc = int(pc_text, 0)
        words = [int(t.removeprefix("0x").removeprefix("0X").replace("_", ""), 16)
                 for t in texts]
    except ValueError:
        print(f"vlab disasm: not a hex number among {' '.join(texts)} / --pc {pc_text}",
              file=sys.stderr)
        return 1
    too_big = [t for t, w in zip(texts, words, strict=True) if not 0 <= w < 1 << 32]
    if too_big:
        print(f"vlab disasm: {too_big[0]} does not fit in 32 bits", file=sys.stderr)
        return 1
    for i, word in enumerate(words):
        address = pc + 4 * i
        print(f"{address:8x}:\t{word:08x}\t{disassemble(word, address)}")
    return 0


def _elf(path: str) -> int:
    try:
        image = load_elf(path)
    except ElfFormatError as exc:
        print(f"vlab disasm: {path}: {exc}", file=sys.stderr)
        return 1
    symbols = image.names_by_address()
    shown = path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")  # any name
    print(f"{shown}:     entry {image.entry:#010x}")
    for segment in image.segments:
        if segment.executable:
            print(f"\nsegment {segment.vaddr:#010x} ({len(segment.data)} bytes):\n")
            print(disassemble_program(segment.data, segment.vaddr, symbols))
    return 0
