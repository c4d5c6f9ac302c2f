"""The instruction set of the HLL VM, as one table.

A stack machine in the style of the JVM (Lindholm et al., *JVM Specification*, ch. 6) and
CPython's bytecode: every instruction is one opcode byte followed by its operands.  Each
row of :data:`TABLE` gives the mnemonic, the operand kinds and the stack effect; the
assembler in ``compiler``, the decoder, ``javap``, the verifier's transfer function, the
interpreter and the JIT are all driven by it.

Operand kinds (all unsigned, big-endian):

=========  =====  ==========================================================
kind       bytes  meaning
=========  =====  ==========================================================
``const``  2      constant-pool index of an INT, STR, BOOL or NONE constant
``local``  2      local-variable slot
``field``  2      constant-pool index of a FIELD ref (class + name): a global
``name``   2      constant-pool index of a UTF8 name (attribute, method, native)
``class``  2      constant-pool index of a CLASS ref
``method`` 2      constant-pool index of a METHOD ref (class, name, arity)
``target`` 2      absolute byte offset of a jump target in the same method
``count``  1      an element or argument count
=========  =====  ==========================================================

Stack effects are written ``before -> after`` with the top of stack on the right.  Types:
``V`` any guest value, ``I`` an iterator made by ``GET_ITER``: only ``STORE_LOCAL`` and
``POP`` accept it and only ``FOR_ITER`` reads it, from a local (so an exception handler,
which empties the operand stack, leaves enclosing loops intact).  ``V*n`` means as many
values as the ``count`` operand says, ``V*n2`` twice that.
"""

from __future__ import annotations

from dataclasses import dataclass

OPERAND_SIZE = {"const": 2, "local": 2, "field": 2, "name": 2, "class": 2, "method": 2,
                "target": 2, "count": 1}


@dataclass(frozen=True)
class Op:
    code: int
    name: str
    operands: tuple[str, ...]
    effect: str
    doc: str

    @property
    def size(self) -> int:
        return 1 + sum(OPERAND_SIZE[k] for k in self.operands)

    @property
    def pops(self) -> list[str]:
        return self.effect.split("->")[0].split()

    @property
    def pushes(self) -> list[str]:
        return self.effect.split("->")[1].split()


_ROWS = [
    # name            operands              stack effect        meaning
    ("NOP",           (),                   "->",               "do nothing"),
    ("LOAD_CONST",    ("const",),           "-> V",             "push a constant"),
    ("LOAD_LOCAL",    ("local",),           "-> V",             "push a local variable"),
    ("STORE_LOCAL",   ("local",),           "V ->",             "pop into a local variable"),
    ("LOAD_GLOBAL",   ("field",),           "-> V",             "push a module global"),
    ("STORE_GLOBAL",  ("field",),           "V ->",             "pop into a module global"),
    ("POP",           (),                   "V ->",             "discard the top value"),
    ("DUP",           (),                   "V -> V V",         "duplicate the top value"),
    ("ADD",           (),                   "V V -> V",         "a + b (int, str, list)"),
    ("SUB",           (),                   "V V -> V",         "a - b"),
    ("MUL",           (),                   "V V -> V",         "a * b (int; str/list by int)"),
    ("FLOORDIV",      (),                   "V V -> V",         "a // b"),
    ("MOD",           (),                   "V V -> V",         "a % b (ints)"),
    ("NEG",           (),                   "V -> V",           "-a"),
    ("NOT",           (),                   "V -> V",           "not a"),
    ("EQ",            (),                   "V V -> V",         "a == b"),
    ("NE",            (),                   "V V -> V",         "a != b"),
    ("LT",            (),                   "V V -> V",         "a < b"),
    ("LE",            (),                   "V V -> V",         "a <= b"),
    ("GT",            (),                   "V V -> V",         "a > b"),
    ("GE",            (),                   "V V -> V",         "a >= b"),
    ("IS",            (),                   "V V -> V",         "a is b"),
    ("IS_NOT",        (),                   "V V -> V",         "a is not b"),
    ("IN",            (),                   "V V -> V",         "a in b"),
    ("NOT_IN",        (),                   "V V -> V",         "a not in b"),
    ("JUMP",          ("target",),          "->",               "continue at target"),
    ("JUMP_IF_FALSE", ("target",),          "V ->",             "pop; jump if falsy"),
    ("JUMP_IF_TRUE",  ("target",),          "V ->",             "pop; jump if truthy"),
    ("GET_ITER",      (),                   "V -> I",           "iterable -> its iterator"),
    ("FOR_ITER",      ("local", "target"),  "-> V",             "next of local iterator, or jump"),
    ("BUILD_LIST",    ("count",),           "V*n -> V",         "new list of n items"),
    ("BUILD_DICT",    ("count",),           "V*n2 -> V",        "new dict of n key/value pairs"),
    ("UNPACK",        ("count",),           "V -> V*n",         "n items, first on top"),
    ("LOAD_INDEX",    (),                   "V V -> V",         "a[i]"),
    ("STORE_INDEX",   (),                   "V V V -> ",        "a[i] = v (stack: v a i)"),
    ("LOAD_SLICE",    (),                   "V V V -> V",       "a[lo:hi] (None for missing)"),
    ("LOAD_FIELD",    ("name",),            "V -> V",           "o.name"),
    ("STORE_FIELD",   ("name",),            "V V ->",           "o.name = v (stack: v o)"),
    ("NEW",           ("class",),           "-> V",             "allocate an instance of a class"),
    ("INSTANCEOF",    ("class",),           "V -> V",           "isinstance(v, class)"),
    ("INVOKE_STATIC", ("method", "count"),  "V*n -> V",         "call a module function"),
    ("INVOKE_SPECIAL", ("method", "count"), "V V*n -> V",       "call a method without dispatch"),
    ("INVOKE_VIRTUAL", ("name", "count"),   "V V*n -> V",       "call by name on receiver"),
    ("INVOKE_NATIVE", ("name", "count"),    "V*n -> V",         "call a built-in function"),
    ("RETURN",        (),                   "V ->",             "return the top value"),
    ("RAISE",         (),                   "V ->",             "raise the exception on top"),
]

TABLE: list[Op] = [Op(i, name, ops, eff, doc) for i, (name, ops, eff, doc) in enumerate(_ROWS)]
BY_NAME: dict[str, Op] = {op.name: op for op in TABLE}
BY_CODE: dict[int, Op] = {op.code: op for op in TABLE}

# Instructions after which control never reaches the next instruction.
TERMINATORS = frozenset({"JUMP", "RETURN", "RAISE"})
BRANCHES = frozenset({"JUMP", "JUMP_IF_FALSE", "JUMP_IF_TRUE", "FOR_ITER"})

globals().update({op.name: op.code for op in TABLE})  # module constants: opcodes.ADD, ...


class DecodeError(Exception):
    """Bytes that are not a well-formed instruction."""


@dataclass(frozen=True)
class Instr:
    offset: int
    op: Op
    args: tuple[int, ...]

    @property
    def next_offset(self) -> int:
        return self.offset + self.op.size


def decode(code: bytes) -> list[Instr]:
    """Split ``code`` into instructions; raise :class:`DecodeError` naming the offset."""
    out, pc = [], 0
    while pc < len(code):
        op = BY_CODE.get(code[pc])
        if op is None:
            raise DecodeError(f"offset {pc}: unknown opcode {code[pc]}")
        if pc + op.size > len(code):
            raise DecodeError(f"offset {pc}: {op.name} truncated by the end of the code")
        args, p = [], pc + 1
        for kind in op.operands:
            n = OPERAND_SIZE[kind]
            args.append(int.from_bytes(code[p:p + n], "big"))
            p += n
        out.append(Instr(pc, op, tuple(args)))
        pc = p
    return out


def encode(name: str, *args: int) -> bytes:
    op = BY_NAME[name]
    out = bytearray([op.code])
    for kind, value in zip(op.operands, args, strict=True):
        out += value.to_bytes(OPERAND_SIZE[kind], "big")
    return bytes(out)
