"""The two-pass assembler: source text in, a :class:`Program` out.

Pass 1 reads every line once: it defines labels (as a section and an offset),
runs directives, expands pseudo-instructions and reserves room for each
instruction and datum.  Sizes never depend on a label's address (``li`` needs
a constant; ``.space`` and ``.align`` too), so when pass 1 ends every section's
size is known and :func:`.sections.layout` can place the sections in memory.
Pass 2 then produces the bytes: each reserved chunk is encoded with every
symbol now a plain address.  This is the classic scheme of Salomon,
*Assemblers and Loaders* (1993), ch. 1, and how GNU ``as`` plus ``ld`` behave
for a single file.

Problems do not stop the assembler: each becomes a diagnostic and the
statement is skipped, and all are raised together as one AssemblyError.

Hostile sources are bounded: all sections together may reserve at most
``MAX_PROGRAM_BYTES`` (each ``.space`` alone could otherwise be small enough and six of
them not), ``.bss`` space is never materialised, and a section that would run past the
end of the 32-bit address space (a high ``text_base``) is an error, not a wrap.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .directives import DIRECTIVES, code_padding, run_directive
from .errors import AssemblyError, Diagnostic, SourceError
from .expand import expand
from .expressions import Address, Environment, Modifier, Value, evaluate, parse_expression
from .instructions import encode_instruction
from .lexer import Token, blank_block_comments, tokenize_line
from .parser import LocalLabels, Statement, display_name, parse_statement
from .program import Program, Section, SourceLine
from .sections import BSS, CODE, LAYOUT_ORDER, SectionBuilder, align_up, kind_from_name, layout

DEFAULT_TEXT_BASE = 0x8000_0000
MAX_PROGRAM_BYTES = 256 << 20    # all sections together, .bss included: bounds our memory


@dataclass
class SymbolDef:
    """A symbol from a label (``value`` is an Address) or from .equ/.set."""

    value: Value | None  # known value, or None while ``expression`` waits for pass 2
    line: int
    expression: object = None
    dot: Value = 0  # the location counter where .equ was written
    is_label: bool = False


def assemble(source: str, filename: str = "<input>", text_base: int = DEFAULT_TEXT_BASE
             ) -> Program:
    """Assemble RV32IMA (+Zicsr, Zifencei) GNU-style source into a Program.

    Raises AssemblyError listing every problem found (file, line, column, hint).
    """
    return Assembler(source, filename, text_base).run()


class Assembler:
    def __init__(self, source: str, filename: str, text_base: int):
        self.lines = source.replace("\r\n", "\n").split("\n")  # as editors number lines
        code, self.open_comment = blank_block_comments("\n".join(self.lines))
        self.code_lines = code.split("\n")
        self.filename = filename
        self.text_base = text_base & 0xFFFFFFFF
        self.sections: list[SectionBuilder] = []
        self.current = self.section(".text", kind_from_name(".text"))
        self.symbols: dict[str, SymbolDef] = {}
        self.globals: dict[str, tuple[Token, int]] = {}
        self.diagnostics: list[Diagnostic] = []
        self.line_no = 0
        self.pcrel_targets: dict[int, int] = {}
        self.evaluating: set[str] = set()
        self.pass_two = False
        self.total_size = 0          # bytes reserved in all sections (MAX_PROGRAM_BYTES)

    # ---- driver ---------------------------------------------------------------------
    def run(self) -> Program:
        local_labels = LocalLabels()
        for line_no, text in enumerate(self.code_lines, start=1):
            self.line_no = line_no
            try:
                for tokens in tokenize_line(text):
                    self.first_pass(parse_statement(tokens, local_labels))
            except SourceError as exc:
                self.report(exc)
            except RecursionError:
                self.report(SourceError("expression nested too deeply", 1))
        self.report_open_comment()
        self.pad_code_sections()
        layout(self.sections, self.text_base)
        if not self.check_address_space():     # pass 2 would produce bytes for nothing
            raise AssemblyError(sorted(self.diagnostics, key=lambda d: (d.line, d.column)))
        self.pass_two = True
        self.check_globals()
        program = self.second_pass()
        if self.diagnostics:
            raise AssemblyError(sorted(self.diagnostics, key=lambda d: (d.line, d.column)))
        return program

    def report_open_comment(self) -> None:
        """A ``/*`` never closed: GNU as stops with an error; so do we."""
        if self.open_comment is None:
            return
        before = "\n".join(self.lines)[:self.open_comment]
        line = before.count("\n") + 1
        column = self.open_comment - (before.rfind("\n") + 1) + 1
        self.report(SourceError("unterminated comment: this '/*' is never closed", column,
                                "end the comment with '*/'"), line)

    def check_address_space(self) -> bool:
        """Every section must end inside the 32-bit address space (no wrap past 4 GiB)."""
        fits = True
        for section in self.sections:
            end = section.address + section.size
            if end > 1 << 32:
                line = section.chunks[-1].line if section.chunks else 1
                self.report(SourceError(
                    f"section {section.name} [{section.address:#x}, {end:#x}) runs past the "
                    "end of the 32-bit address space", 1,
                    "choose a lower text base (--text-base) or make the program smaller"), line)
                fits = False
        return fits

    def pad_code_sections(self) -> None:
        """GNU as ends a code section on its alignment, padded with executable filler."""
        for section in self.sections:
            padding = align_up(section.size, section.alignment) - section.size
            if section.kind == CODE and padding:
                data = code_padding(section.size, padding)
                section.add(padding, lambda env, data=data: data, self.line_no)

    def report(self, exc: SourceError, line: int | None = None) -> None:
        """Record a diagnostic; only the first per line, later ones are usually echoes."""
        line = self.line_no if line is None else line
        if any(d.line == line for d in self.diagnostics):
            return
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        self.diagnostics.append(Diagnostic(self.filename, line, exc.column, text, exc.message,
                                           exc.hint))

    # ---- pass 1 -----------------------------------------------------------------------
    def first_pass(self, statement: Statement) -> None:
        for label in statement.labels:
            self.define_label(label)
        if statement.mnemonic is None:
            return
        name = statement.mnemonic.text.lower()
        if name.startswith(".") and name in DIRECTIVES:
            run_directive(self, statement.mnemonic, statement.operands)
        elif name.startswith("."):
            raise _unknown_directive(statement.mnemonic)
        else:
            self.instruction(statement.mnemonic, statement.operands)

    def instruction(self, mnemonic: Token, operands: list[list[Token]]) -> None:
        if self.current.kind == BSS:
            raise SourceError(f"instruction in {self.current.name}, which holds no bytes",
                              mnemonic.column, "put code after '.text'")
        for real_mnemonic, real_operands in expand(mnemonic, operands, self.environment()):
            self.emit(4, self.encoder(real_mnemonic, real_operands), is_instruction=True)

    def encoder(self, mnemonic: Token, operands: list[list[Token]]):
        def produce(env: Environment) -> bytes:
            word = encode_instruction(mnemonic, operands, env, env.dot)
            if mnemonic.text.lower() == "auipc":
                self.remember_pcrel_target(operands, env)
            return word.to_bytes(4, "little")
        return produce

    def remember_pcrel_target(self, operands: list[list[Token]], env: Environment) -> None:
        """Note the target of ``auipc rd, %pcrel_hi(x)`` for the %pcrel_lo that follows."""
        tree, _ = parse_expression(operands[1])
        if isinstance(tree, Modifier) and tree.name == "pcrel_hi":
            self.pcrel_targets[env.dot] = evaluate(tree.operand, env)

    def emit(self, size: int, produce, is_instruction: bool = False,
             zeros: bool = False) -> None:
        """Reserve ``size`` bytes in the current section; ``produce`` makes them in pass 2
        (``zeros``: they are all zero, so .bss need not make them at all)."""
        if self.total_size + size > MAX_PROGRAM_BYTES:
            raise SourceError(f"the program would take {self.total_size + size:#x} bytes, "
                              f"more than the {MAX_PROGRAM_BYTES >> 20} MiB an assembled "
                              "program may take (counting every section, .bss included)", 1,
                              "reserve less space")
        self.total_size += size
        self.current.add(size, produce, self.line_no, is_instruction, zeros)

    def section(self, name: str, kind: str) -> SectionBuilder:
        for section in self.sections:
            if section.name == name:
                return section
        section = SectionBuilder(name, kind)
        self.sections.append(section)
        return section

    def define_label(self, token: Token) -> None:
        self.check_redefinition(token)
        self.symbols[token.text] = SymbolDef(Address(self.current.name, self.current.size),
                                             self.line_no, is_label=True)

    def define_symbol(self, token: Token, tree) -> None:
        """``.equ``/``.set``: a value now if possible, else evaluated in pass 2.

        Simplification: GNU ``.set`` may give a symbol a new value further down (each use
        sees the value at that point); here a symbol has one value, so that is an error.
        """
        self.check_redefinition(token)
        dot = self.dot()
        try:
            value = evaluate(tree, self.environment())
            self.symbols[token.text] = SymbolDef(value, self.line_no)
        except SourceError:
            self.symbols[token.text] = SymbolDef(None, self.line_no, tree, dot)

    def check_redefinition(self, token: Token) -> None:
        if token.text in self.symbols:
            first = self.symbols[token.text].line
            raise SourceError(f"symbol {display_name(token.text)!r} is already defined "
                              f"(line {first})", token.column,
                              "rename one of them; a symbol has one value in vlab")

    def dot(self) -> Address:
        return Address(self.current.name, self.current.size)

    # ---- symbols ------------------------------------------------------------------------
    def environment(self, dot: Value | None = None) -> Environment:
        return Environment(self.lookup, self.dot() if dot is None else dot, self.pcrel_target)

    def lookup(self, name: str, column: int) -> Value:
        symbol = self.symbols.get(name)
        if symbol is None:
            raise self.undefined(name, column)
        if symbol.value is None:
            if name in self.evaluating:
                raise SourceError(f"symbol {name!r} is defined in terms of itself", column)
            self.evaluating.add(name)
            try:
                value = evaluate(symbol.expression, self.environment(self.absolute(symbol.dot)))
            finally:
                self.evaluating.discard(name)
            return value
        return self.absolute(symbol.value)

    def absolute(self, value: Value) -> Value:
        """In pass 2 an Address becomes a number: its section's address plus the offset."""
        if self.pass_two and isinstance(value, Address):
            return self.section(value.section, CODE).address + value.offset
        return value

    def undefined(self, name: str, column: int) -> SourceError:
        shown = display_name(name)
        if shown != name:
            return SourceError(f"no local label '{shown}:' after this line for '{shown}f'",
                               column, f"define '{shown}:' below, or write '{shown}b'")
        if not self.pass_two:
            return SourceError(f"symbol {name!r} is not defined yet", column,
                               "this value decides the size of the code, so it must be "
                               "defined above this line")
        names = [display_name(n) for n in self.symbols if n == display_name(n)]
        close = difflib.get_close_matches(name, names, n=3)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else \
            "define it as a label ('name:') or with '.equ name, value'"
        return SourceError(f"undefined symbol {name!r}", column, hint)

    def pcrel_target(self, auipc_address: int, column: int) -> int:
        if auipc_address not in self.pcrel_targets:
            raise SourceError(f"%pcrel_lo: no 'auipc rd, %pcrel_hi(...)' at {auipc_address:#x}",
                              column, "the label inside %pcrel_lo must be on the auipc")
        return self.pcrel_targets[auipc_address]

    def check_globals(self) -> None:
        for name, (token, line) in self.globals.items():
            if name not in self.symbols:
                self.report(SourceError(f"global symbol {name!r} is never defined",
                                        token.column, "define the label, or remove it from "
                                        ".globl"), line)

    # ---- pass 2 ---------------------------------------------------------------------------
    def second_pass(self) -> Program:
        sections, line_table = [], {}
        for kind in LAYOUT_ORDER:
            for builder in (s for s in self.sections if s.kind == kind):
                sections.append(self.produce_section(builder, line_table))
        symbols, symbol_sections = {}, {}
        for name, symbol in self.symbols.items():
            if name.startswith(".L"):
                continue
            try:
                symbols[name] = self.lookup(name, 1) & 0xFFFFFFFF
            except SourceError as exc:
                self.report(exc, symbol.line)
                continue
            except RecursionError:
                self.report(SourceError("symbol definitions nested too deeply", 1), symbol.line)
                continue
            if symbol.is_label:
                symbol_sections[name] = symbol.value.section
        entry = symbols.get("_start", self.text_base)
        return Program(sections=[s for s in sections if s.size or s.name == ".text"],
                       symbols=symbols, entry=entry, line_table=line_table,
                       global_symbols=frozenset(self.globals), symbol_sections=symbol_sections)

    def produce_section(self, builder: SectionBuilder, line_table: dict) -> Section:
        data = bytearray()
        for chunk in builder.chunks:
            if chunk.zeros and builder.kind == BSS:
                continue                      # takes no room in the file: nothing to make
            address = builder.address + chunk.offset
            self.line_no = chunk.line
            try:
                produced = chunk.produce(self.environment(address))
            except SourceError as exc:
                self.report(exc, chunk.line)
                produced = bytes(chunk.size)
            except RecursionError:
                self.report(SourceError("expression nested too deeply", 1), chunk.line)
                produced = bytes(chunk.size)
            data += produced
            if chunk.is_instruction:
                line_table[address] = SourceLine(self.filename, chunk.line,
                                                 self.lines[chunk.line - 1])
        if builder.kind == BSS:
            if any(data):
                self.report(SourceError(f"{builder.name} holds only zeros", 1,
                                        "use .space/.zero there, or put data in .data"))
            data = bytearray()
        return Section(builder.name, builder.address, bytes(data), builder.size,
                       executable=builder.kind == CODE, writable=builder.kind not in
                       (CODE, "rodata"), nobits=builder.kind == BSS,
                       alignment=builder.alignment)


def _unknown_directive(token: Token) -> SourceError:
    close = difflib.get_close_matches(token.text.lower(), list(DIRECTIVES), n=3)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else \
        "supported: " + " ".join(sorted(DIRECTIVES))
    return SourceError(f"unknown directive {token.text!r}", token.column, hint)
