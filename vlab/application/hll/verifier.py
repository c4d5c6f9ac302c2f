"""The bytecode verifier: data-flow type checking before any method runs.

Like the JVM's type-checking verifier (JVM Specification sec. 4.10; Leroy, "Java bytecode
verification: algorithms and formalizations", 2003), it runs an abstract interpreter over
each method: the abstract state before each instruction is the *type* of every operand
stack slot and local variable.  States are propagated along every edge (fall-through,
jumps, exception handlers) and merged where paths join, until nothing changes.  A method
is rejected, naming the class, method, offset and reason, if any path could:

* decode an unknown opcode or an instruction cut off by the end of the code;
* jump, or start a handler, anywhere but an instruction boundary;
* use a constant-pool index that is out of range or of the wrong kind;
* use a local outside ``max_locals`` or read one that may be uninitialized;
* underflow the stack, overflow ``max_stack`` or meet a merge point with a different
  stack shape; use an iterator as a value or a value as an iterator;
* fall off the end of the code.

Types: ``V`` a guest value, ``I`` an iterator, ``U`` an uninitialized local.  Guest
values are dynamically typed (the language is Python), so the per-value type checks
(adding a list to an int) happen at run time as guest ``TypeError``\\ s; what is verified
statically is exactly what keeps the *VM* safe.
"""

from __future__ import annotations

import keyword

from .classfile import ClassFile, Handler, MethodInfo
from .constpool import VALUE_KINDS, ConstPool
from .errors import VerifyError
from .natives import BUILTINS
from .opcodes import TERMINATORS, DecodeError, Instr, decode
from .values import is_reserved_name

POOL_KIND = {"const": VALUE_KINDS, "field": ("FIELD",), "name": ("UTF8",),
             "class": ("CLASS",), "method": ("METHOD",)}


class _Fail(Exception):
    def __init__(self, offset: int, reason: str):
        super().__init__(reason)
        self.offset, self.reason = offset, reason


def verify_class(cf: ClassFile) -> dict[str, list[Instr]]:
    """Verify every method; return its decoded instructions, keyed by method name."""
    names = [m.name for m in cf.methods]
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup is not None:
        raise VerifyError(cf.name, dup, 0, "method defined twice")
    return {m.name: verify_method(cf, m) for m in cf.methods}


def verify_method(cf: ClassFile, m: MethodInfo) -> list[Instr]:
    try:
        return _Analysis(m.code, m.handlers, m.arity, m.max_locals, cf.pool, m.max_stack).run()
    except _Fail as fail:
        raise VerifyError(cf.name, m.name, fail.offset, fail.reason) from None


def max_stack_depth(code: bytes, handlers: list[Handler], arity: int, max_locals: int) -> int:
    """The deepest operand stack any path reaches (the compiler's ``max_stack``)."""
    analysis = _Analysis(code, handlers, arity, max_locals, None, 0xFFFF)
    try:
        analysis.run()
    except _Fail as fail:  # the compiler produced bad code: a bug, reported clearly
        raise AssertionError(f"compiler emitted unverifiable code at offset {fail.offset}: "
                             f"{fail.reason}") from None
    return analysis.deepest


def entry_states(code: bytes, handlers: list[Handler], arity: int, max_locals: int) -> dict:
    """The verified abstract state (stack types, local types) before each reachable
    instruction, keyed by offset; the JIT uses it to know stack depths at block entries."""
    analysis = _Analysis(code, handlers, arity, max_locals, None, 0xFFFF)
    analysis.run()
    return analysis.states


class _Analysis:
    def __init__(self, code, handlers, arity, max_locals, pool: ConstPool | None, max_stack):
        self.code, self.handlers, self.pool = code, handlers, pool
        self.arity, self.max_locals, self.max_stack = arity, max_locals, max_stack
        self.deepest = 0

    def run(self) -> list[Instr]:
        if not self.code:
            raise _Fail(0, "empty code")
        try:
            instrs = decode(self.code)
        except DecodeError as exc:
            offset = int(str(exc).split()[1].rstrip(":"))
            raise _Fail(offset, str(exc).split(": ", 1)[1]) from None
        self.at = {i.offset: i for i in instrs}
        for instr in instrs:
            self.check_operands(instr)
        self.check_handlers()
        self.flow()
        return instrs

    # -------------------------------------------------- static checks

    def check_operands(self, instr: Instr) -> None:
        for kind, value in zip(instr.op.operands, instr.args, strict=True):
            if kind == "local" and value >= self.max_locals:
                raise _Fail(instr.offset, f"local {value} >= max_locals {self.max_locals}")
            if kind == "target" and value not in self.at:
                raise _Fail(instr.offset, f"jump target {value} is not an instruction")
            if kind in POOL_KIND and self.pool is not None:
                if self.pool.kind(value) not in POOL_KIND[kind]:
                    raise _Fail(instr.offset, f"constant {value} is "
                                f"{self.pool.kind(value) or 'out of range'}, expected "
                                f"{'/'.join(POOL_KIND[kind])}")
        if self.pool is not None:
            self.check_call(instr)
            if "name" in instr.op.operands:
                self.check_name(instr, self.pool.name(instr.args[0]))

    def check_call(self, instr: Instr) -> None:
        name = instr.op.name
        if name in ("INVOKE_STATIC", "INVOKE_SPECIAL"):
            arity = self.pool.get(instr.args[0]).value[2]
            want = instr.args[1] + (name == "INVOKE_SPECIAL")
            if arity != want:
                raise _Fail(instr.offset, f"method ref arity {arity} but {want} arguments")
        if name == "INVOKE_NATIVE":
            native = self.pool.name(instr.args[0])
            if native not in BUILTINS:
                raise _Fail(instr.offset, f"unknown native '{native}'")
            lo, hi = BUILTINS[native]
            if not lo <= instr.args[1] <= hi:
                raise _Fail(instr.offset, f"native {native} takes {lo}..{hi} arguments")

    def check_name(self, instr: Instr, name: str) -> None:
        if not name.isidentifier() or keyword.iskeyword(name):
            raise _Fail(instr.offset, f"{name!r} is not a valid name")
        if instr.op.name in ("LOAD_FIELD", "STORE_FIELD") and is_reserved_name(name):
            raise _Fail(instr.offset, f"reserved field name '{name}'")

    def check_handlers(self) -> None:
        end = len(self.code)
        for h in self.handlers:
            if not (h.start in self.at and (h.end in self.at or h.end == end)
                    and h.start < h.end):
                raise _Fail(h.start, f"handler range {h.start}..{h.end} is not on boundaries")
            if h.handler not in self.at:
                raise _Fail(h.handler, "handler entry is not an instruction")

    # -------------------------------------------------- data flow

    def flow(self) -> None:
        entry = ((), ("V",) * self.arity + ("U",) * (self.max_locals - self.arity))
        self.states = {0: entry}
        work = [0]
        while work:
            offset = work.pop()
            instr = self.at[offset]
            stack, local = self.states[offset]
            for h in self.handlers:
                if h.start <= offset < h.end:
                    self.merge(h.handler, (("V",), local), work, offset)
            after = self.transfer(instr, list(stack), list(local))
            for succ in self.successors(instr):
                if instr.op.name == "FOR_ITER" and succ == instr.args[1]:
                    self.merge(succ, (stack, local), work, offset)  # exhausted: no push
                else:
                    self.merge(succ, after, work, offset)

    def successors(self, instr: Instr) -> list[int]:
        out = []
        if instr.op.name not in TERMINATORS:
            if instr.next_offset >= len(self.code):
                raise _Fail(instr.offset, "control falls off the end of the code")
            out.append(instr.next_offset)
        if instr.op.name in ("JUMP", "JUMP_IF_FALSE", "JUMP_IF_TRUE", "FOR_ITER"):
            out.append(instr.args[-1])
        return out

    def merge(self, target: int, state, work: list[int], origin: int) -> None:
        old = self.states.get(target)
        if old is None:
            self.states[target] = (tuple(state[0]), tuple(state[1]))
            work.append(target)
            return
        if len(old[0]) != len(state[0]) or old[0] != tuple(state[0]):
            raise _Fail(origin, f"stack shape {list(state[0])} meets {list(old[0])} "
                        f"at offset {target}")
        merged = tuple(a if a == b else "U" for a, b in zip(old[1], state[1], strict=True))
        if merged != old[1]:
            self.states[target] = (old[0], merged)
            work.append(target)

    def transfer(self, instr: Instr, stack: list, local: list):
        name, off = instr.op.name, instr.offset
        if name == "LOAD_LOCAL":
            kind = local[instr.args[0]]
            if kind != "V":
                raise _Fail(off, f"local {instr.args[0]} " + (
                    "may be uninitialized" if kind == "U" else "holds an iterator"))
            stack.append("V")
        elif name == "STORE_LOCAL":
            local[instr.args[0]] = self.pop(stack, off, None)
        elif name == "POP":
            self.pop(stack, off, None)
        elif name == "FOR_ITER":
            if local[instr.args[0]] != "I":
                raise _Fail(off, f"FOR_ITER on local {instr.args[0]}, which is not an iterator")
            stack.append("V")
        else:
            self.generic(instr, stack)
        self.deepest = max(self.deepest, len(stack))
        if len(stack) > self.max_stack:
            raise _Fail(off, f"stack depth {len(stack)} exceeds max_stack {self.max_stack}")
        return stack, local

    def generic(self, instr: Instr, stack: list) -> None:
        count = instr.args[-1] if "count" in instr.op.operands else 0
        for kind in reversed(_expand(instr.op.pops, count)):
            self.pop(stack, instr.offset, kind)
        stack.extend(_expand(instr.op.pushes, count))

    def pop(self, stack: list, offset: int, kind: str | None) -> str:
        if not stack:
            raise _Fail(offset, "operand stack underflow")
        top = stack.pop()
        if kind is not None and top != kind:
            raise _Fail(offset, f"expected {'a value' if kind == 'V' else 'an iterator'} "
                        f"on the stack, found {'a value' if top == 'V' else 'an iterator'}")
        return top


def _expand(types: list[str], count: int) -> list[str]:
    out = []
    for t in types:
        if t.endswith("*n"):
            out += [t[0]] * count
        elif t.endswith("*n2"):
            out += [t[0]] * (2 * count)
        else:
            out.append(t)
    return out
