"""``vlab asm FILE.s -o OUT.elf``: assemble RV32 source into an ELF executable.

Errors go to stderr, each with file, line, column, the line, a caret and a hint;
the exit status is 1.  Never a Python traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

from vlab.isa.asm import DEFAULT_TEXT_BASE, AssemblyError, assemble
from vlab.isa.elf import InputFileError, read_input


def add_arguments(parser) -> None:
    parser.add_argument("source", metavar="FILE.s", help="assembly source (GNU as syntax)")
    parser.add_argument("-o", "--output", metavar="OUT.elf",
                        help="where to write the ELF file (default: FILE.elf)")
    parser.add_argument("--text-base", type=_address, default=DEFAULT_TEXT_BASE, metavar="ADDR",
                        help="address of .text (default 0x80000000)")
    parser.add_argument("--listing", action="store_true",
                        help="also print the disassembled program with source lines")


def _address(text: str) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        raise _argparse_error(f"not an address: {text!r} (write e.g. 0x80000000)") from None
    if not 0 <= value < 1 << 32 or value % 4:
        raise _argparse_error(f"{text}: the text base must be a 4-byte aligned 32-bit address")
    return value


def _argparse_error(message: str):
    import argparse

    return argparse.ArgumentTypeError(message)


def run(args) -> int:
    source = Path(args.source)
    try:
        data = read_input(source, what="source file")    # capped: /dev/zero is refused
    except InputFileError as exc:
        print(f"vlab asm: {exc}", file=sys.stderr)
        return 1
    text = data.decode("utf-8", errors="surrogateescape")   # raw bytes kept, as GNU as
    try:
        program = assemble(text, filename=str(source), text_base=args.text_base)
    except AssemblyError as exc:
        print(exc, file=sys.stderr)
        count = len(exc.diagnostics)
        print(f"vlab asm: {count} error{'s' if count > 1 else ''}", file=sys.stderr)
        return 1
    output = Path(args.output) if args.output else source.with_suffix(".elf")
    try:
        output.write_bytes(program.to_elf())
    except OSError as exc:
        print(f"vlab asm: cannot write {output}: {exc.strerror}", file=sys.stderr)
        return 1
    if args.listing:
        _print_listing(program)
    return 0


def _print_listing(program) -> None:
    from vlab.isa.disasm import disassemble

    names = program.names_by_address()
    for address, line in sorted(program.line_table.items()):
        if address in names:
            print(f"{address:08x} <{names[address]}>:")
        section = next(s for s in program.sections if s.address <= address < s.end)
        word = int.from_bytes(section.data[address - section.address:][:4], "little")
        print(f"  {address:08x}:  {word:08x}  {disassemble(word, address, names):<32}"
              f"# {line.line}: {line.text.strip()}")
