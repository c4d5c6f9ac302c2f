"""A disassembler for class files, in the spirit of the JDK's ``javap -c -v``.

Prints the header, the constant pool, the fields and, per method, its signature, limits,
code (one instruction per line: offset, mnemonic, operands with the constant they name,
and the source line where a new line starts), the exception table and the line table.

Like ``javap``, it shows files the verifier would reject: the reader checks only the
structure, so a method's code may not decode and an operand may name no constant; those
are printed as such (``<undecodable ...>``, ``#9 (invalid)``), never a crash.
"""

from __future__ import annotations

from .classfile import ClassFile, MethodInfo, read
from .opcodes import DecodeError, decode


def disassemble(data: bytes | ClassFile) -> str:
    cf = read(data) if isinstance(data, bytes | bytearray) else data
    kind = "module" if cf.is_module else "class"
    out = [f"{kind} {cf.name}" + (f" extends {cf.super_name}" if cf.super_name else ""),
           f"  source: {cf.source_file}", "  constant pool:"]
    for i, entry in enumerate(cf.pool.entries[1:], start=1):
        out.append(f"    #{i:<3} {entry.kind:<6} {describe(cf, i)}")
    out.append("  fields: " + (", ".join(cf.fields) or "(none)"))
    for m in cf.methods:
        out += [""] + method_listing(cf, m)
    return "\n".join(out) + "\n"


def method_listing(cf: ClassFile, m: MethodInfo) -> list[str]:
    static = "static " if m.is_static else ""
    defaults = [describe(cf, d) for d in m.defaults]
    out = [f"  {static}{m.name}/{m.arity}" + (f" defaults={defaults}" if defaults else ""),
           f"    max_stack={m.max_stack} max_locals={m.max_locals} code_length={len(m.code)}"]
    starts = dict(m.lines)
    try:
        instructions = decode(m.code)
    except DecodeError as error:
        return out + [f"    <undecodable code: {error}>"]
    for ins in instructions:
        text = f"    {ins.offset:5}: {ins.op.name:<15}"
        text += " ".join(operand(cf, kind, v) for kind, v in zip(ins.op.operands, ins.args,
                                                                   strict=True))
        if ins.offset in starts:
            text = f"{text:<60} // line {starts[ins.offset]}"
        out.append(text.rstrip())
    if m.handlers:
        out.append("    exception table:  start  end  handler  type")
        for h in m.handlers:
            catch = describe(cf, h.catch) if h.catch else "any"
            out.append(f"                      {h.start:5} {h.end:4} {h.handler:8}  {catch}")
    return out


def operand(cf: ClassFile, kind: str, value: int) -> str:
    if kind in ("const", "field", "name", "class", "method"):
        return f"#{value} ({describe(cf, value)})"
    if kind == "local":
        return f"L{value}"
    if kind == "target":
        return f"-> {value}"
    return str(value)


def describe(cf: ClassFile, index: int) -> str:
    """The constant ``index`` names, or ``invalid`` if it names none (a mutated file)."""
    try:
        return cf.pool.describe(index)
    except (IndexError, AttributeError, KeyError, TypeError, ValueError):
        return "invalid"
