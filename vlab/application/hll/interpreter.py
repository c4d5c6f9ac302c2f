"""The interpreter: frames, an operand stack, and one dispatch loop.

Each guest call gets a :class:`Frame` (its locals, its operand stack, its program counter)
and the loop in :meth:`Interpreter.execute` fetches, decodes and executes one instruction
at a time, like the JVM's bytecode interpreter (Smith & Nair, *Virtual Machines*, 2005,
sec. 6.4) or clox's ``run()`` (Nystrom, *Crafting Interpreters*, ch. 15).  Before a
method first runs its bytecode is *pre-decoded* into a list of ``(opcode, a, b)`` tuples
with jump targets turned into list indexes and constants into values, so the loop never
re-parses bytes ("decode once" as in threaded interpreters; Smith & Nair sec. 2.3).

Exceptions: a guest ``RAISE``, or a host error in an instruction (``1 // 0``), becomes a
:class:`GuestThrow`; the loop searches the method's handler table for an entry covering
the failing instruction whose class matches, empties the operand stack, pushes the
exception and continues at the handler.  If none matches, the frame adds itself (method,
source line) to the exception's guest stack trace and the exception leaves the frame.

Every instruction is counted against the instruction budget (comparisons, searches and
copies whose work grows with their operands are charged more, by ``work.py``); the
optional ``rt.tracer`` hook sees every instruction before it runs (used to draw the
operand stack while stepping).  Calls are host recursion (one ``execute`` per guest
frame), bounded by ``max_depth`` (a guest ``RecursionError``).

On-stack replacement (``osr.py``): a backward ``JUMP`` is pre-decoded as the loop's
``BACK_EDGE``, which counts how often that loop header is reached; at its threshold
the loop is left (``break``) and the ``else`` branch of the loop's ``try`` hands the
frame to the JIT's OSR entry, outside the handler search (the compiled code reports
its own exceptions).  :meth:`Interpreter.resume` is the way back (deoptimization).
"""

from __future__ import annotations

from .errors import BudgetExhausted, GuestThrow, LinkageError
from .gc import PRECISE_FRAMES
from .heap import BIG_INT
from .natives import IMPLEMENTATIONS
from .opcodes import (
    ADD,
    BUILD_DICT,
    BUILD_LIST,
    DUP,
    EQ,
    FLOORDIV,
    FOR_ITER,
    GE,
    GET_ITER,
    GT,
    IN,
    INSTANCEOF,
    INVOKE_NATIVE,
    INVOKE_SPECIAL,
    INVOKE_STATIC,
    INVOKE_VIRTUAL,
    IS,
    IS_NOT,
    JUMP,
    JUMP_IF_FALSE,
    JUMP_IF_TRUE,
    LE,
    LOAD_CONST,
    LOAD_FIELD,
    LOAD_GLOBAL,
    LOAD_INDEX,
    LOAD_LOCAL,
    LOAD_SLICE,
    LT,
    MOD,
    MUL,
    NE,
    NEG,
    NEW,
    NOP,
    NOT,
    NOT_IN,
    POP,
    RAISE,
    RETURN,
    STORE_FIELD,
    STORE_GLOBAL,
    STORE_INDEX,
    STORE_LOCAL,
    SUB,
    UNPACK,
)
from .osr import BACK_EDGES_PER_CALL, transfer
from .runtime import CONVERTIBLE, SMALL_INT
from .stdlib import VALUE_TYPES
from .values import GuestList, GuestObject

_END = object()  # FOR_ITER's "iterator exhausted" marker
BACK_EDGE = -1  # not a class-file opcode: a backward JUMP, as pre-decoded (counts for OSR)
VALUE_TYPE_OBJECTS = {"int": int, "bool": bool, "str": str, "list": list, "dict": dict}


class Frame:
    """One activation of a method: what a debugger (or a chapter) draws."""

    __slots__ = ("method", "locals", "stack", "pc")

    def __init__(self, method, args):
        self.method = method
        self.locals = list(args) + [None] * (method.info.max_locals - len(args))
        self.stack: list = []
        self.pc = 0  # index into method.instrs

    @property
    def offset(self) -> int:
        return self.method.instrs[self.pc].offset

    @property
    def line(self) -> int:
        return self.method.info.line_at(self.offset)

    def __vm_roots__(self) -> list:
        return self.locals + self.stack


class Interpreter:
    def __init__(self, rt, max_depth: int = 1000, jit_threshold: int = 0):
        self.rt = rt
        self.max_depth = max_depth
        self.jit_threshold = jit_threshold  # 0: never compile
        rt.compiled_depth = 0  # compiled calls on the host stack (they count as frames)

    # ------------------------------------------------------------ preparing a method

    def install(self, method) -> None:
        """Pre-decode ``method`` and give it an interpreting entry point."""
        method.code = [self.predecode(method, i) for i in method.instrs]
        method.code = [(BACK_EDGE, a, b) if op == JUMP and a <= n else (op, a, b)
                       for n, (op, a, b) in enumerate(method.code)]
        method.loop_counters = [0] * len(method.code)  # back edges taken, per loop header
        index = {ins.offset: n for n, ins in enumerate(method.instrs)}
        method.index_of = index
        index[len(method.info.code)] = len(method.instrs)
        method.handler_table = [(index[h.start], index[h.end], index[h.handler], h.catch)
                                for h in method.info.handlers]

        def entry(*args):
            return self.invoke(method, args)

        entry.__name__ = method.name
        method.entry = entry

    def predecode(self, method, instr) -> tuple:
        pool, name = method.owner.cf.pool, instr.op.name
        args = list(instr.args) + [0] * (2 - len(instr.args))
        if name == "LOAD_CONST":
            args[0] = pool.get(args[0]).value
        elif name in ("LOAD_FIELD", "STORE_FIELD", "INVOKE_VIRTUAL"):
            args[0] = pool.name(args[0])
        elif name == "INVOKE_NATIVE":
            args[0] = IMPLEMENTATIONS[pool.name(args[0])]
        elif name == "INSTANCEOF" and pool.name(args[0]) in VALUE_TYPES:
            args[0] = VALUE_TYPE_OBJECTS[pool.name(args[0])]
        for i, kind in enumerate(instr.op.operands):
            if kind == "target":
                args[i] = next(n for n, x in enumerate(method.instrs) if x.offset == args[i])
        return (instr.op.code, args[0], args[1])

    # ------------------------------------------------------------ calls

    def invoke(self, method, args: tuple):
        n, arity = len(args), method.arity
        if n != arity:
            args = self.fill_defaults(method, args)
        method.calls += 1
        if (method.calls == self.jit_threshold and self.rt.jit is not None
                and method.compiled is None):  # (OSR may have compiled it already)
            self.rt.jit.compile(method)  # used from the next call on
        frames = self.rt.frames
        if len(frames) + self.rt.compiled_depth >= self.max_depth:
            raise RecursionError("maximum recursion depth exceeded")
        frame = Frame(method, args)
        frames.append(frame)
        try:
            return self.execute(frame)
        finally:
            frames.pop()

    def resume(self, method, deopt):
        """Continue ``method`` interpreted at ``deopt.offset`` with the locals and operand
        stack ``deopt`` carries (deoptimization: see ``osr.py``).

        Only OSR entries speculate, and an OSR entry is called by the interpreter frame it
        replaced, which is still the innermost on ``rt.frames`` (emptied): that frame gets
        the state back (no other host frame keeps it alive) and runs on."""
        frame = self.rt.frames[-1]
        if frame.method is not method or any(v is not None for v in frame.locals):
            raise LinkageError(f"deoptimization of {method} found no frame to resume")
        frame.locals[:] = deopt.locals
        frame.stack[:] = deopt.stack
        frame.pc = method.index_of[deopt.offset]
        deopt.locals = deopt.stack = None
        return self.execute(frame)

    @staticmethod
    def fill_defaults(method, args: tuple) -> tuple:
        n, arity, defaults = len(args), method.arity, method.defaults
        if n > arity or n < arity - len(defaults):
            raise TypeError(arity_message(method, n))
        return tuple(args) + tuple(defaults[len(defaults) - (arity - n):])

    # ------------------------------------------------------------ the dispatch loop

    def execute(self, frame: Frame):  # the one deliberate dispatch loop
        rt = self.rt
        method = frame.method
        code, owner = method.code, method.owner
        stack, local = frame.stack, frame.locals
        push, pop = stack.append, stack.pop
        limit, tracer = rt.limit, rt.tracer
        counters = method.loop_counters
        osr_at = BACK_EDGES_PER_CALL * self.jit_threshold if rt.jit is not None else 0
        pc = frame.pc
        while True:
            try:
                while True:
                    if tracer is not None:
                        frame.pc = pc
                        tracer(frame, method.instrs[pc])
                    op, a, b = code[pc]
                    pc += 1
                    count = rt.icount + 1
                    rt.icount = count
                    rt.interpreted += 1
                    if count > limit:
                        frame.pc = pc - 1
                        rt.exhausted()
                    if op == LOAD_LOCAL:
                        push(local[a])
                    elif op == LOAD_CONST:
                        push(a)
                    elif op == STORE_LOCAL:
                        local[a] = pop()
                    elif op == ADD:
                        y = pop()
                        x = stack[-1]
                        if type(x) is int and type(y) is int:
                            r = x + y
                            stack[-1] = r if -BIG_INT < r < BIG_INT else rt.heap.new_int(r)
                        else:
                            stack[-1] = rt.add(x, y)
                    elif op == SUB:
                        y = pop()
                        r = stack[-1] - y
                        stack[-1] = (r if type(r) is not int or -BIG_INT < r < BIG_INT
                                     else rt.heap.new_int(r))
                    elif op == LT:
                        y = pop()
                        x = stack[-1]
                        stack[-1] = x < y if type(x) is int else rt.order("LT", x, y)
                    elif op == JUMP_IF_FALSE:
                        if not pop():
                            pc = a
                    elif op == BACK_EDGE:
                        pc = a
                        if osr_at:
                            n = counters[a] = counters[a] + 1
                            if n == osr_at:
                                osr = rt.jit.osr_entry(method, a, len(stack), local)
                                if osr is not None:
                                    break  # on-stack replacement: see the else below
                    elif op == JUMP:
                        pc = a
                    elif op == FOR_ITER:
                        item = next(local[a], _END)
                        if item is _END:
                            pc = b
                        else:
                            push(item)
                    elif op == INVOKE_VIRTUAL:
                        cut = len(stack) - b
                        args = stack[cut:]
                        del stack[cut:]
                        receiver = pop()
                        if isinstance(receiver, GuestObject):
                            target = receiver._vm_cls.vtable.get(a)
                            if target is not None and target.entry is not None:
                                push(target.entry(receiver, *args))
                                continue
                        push(rt.call_virtual(receiver, a, args))
                    elif op == INVOKE_STATIC:
                        target = owner.resolved.get(a) or owner.resolve_method(a)
                        if not target.is_static:
                            raise LinkageError(f"INVOKE_STATIC of instance method {target}")
                        cut = len(stack) - b
                        args = stack[cut:]
                        del stack[cut:]
                        if target.entry is None:
                            self.install(target)
                        push(target.entry(*args))
                    elif op == RETURN:
                        return pop()
                    elif op == LOAD_FIELD:
                        obj = stack[-1]
                        stack[-1] = (getattr(obj, a) if isinstance(obj, GuestObject)
                                     else rt.get_field(obj, a))
                    elif op == STORE_FIELD:
                        obj = pop()
                        rt.set_field(obj, a, pop())
                    elif op == LOAD_INDEX:
                        y = pop()
                        x = stack[-1]
                        stack[-1] = (x[y] if type(y) is int and type(x) is not str
                                     else rt.load_index(x, y))
                    elif op == STORE_INDEX:
                        index, container = pop(), pop()
                        value = pop()
                        if type(container) is GuestList:
                            if container._vm_old:  # write barrier
                                rt.heap.remember(container)
                            container[index] = value
                        else:
                            rt.store_index(value, container, index)
                    elif op == MUL:
                        y = pop()
                        x = stack[-1]
                        stack[-1] = (x * y if type(x) is int and type(y) is int
                                     and x.bit_length() + y.bit_length() < 512 else rt.mul(x, y))
                    elif op == FLOORDIV:
                        y = pop()
                        x = stack[-1]
                        stack[-1] = (x // y if type(x) is int and -SMALL_INT < x < SMALL_INT
                                     else rt.floordiv(x, y))
                    elif op == MOD:
                        y = pop()
                        x = stack[-1]
                        stack[-1] = (x % y if type(x) is int and -SMALL_INT < x < SMALL_INT
                                     else rt.mod(x, y))
                    elif op == EQ:
                        y = pop()
                        x = stack[-1]
                        stack[-1] = x == y if type(x) is int else rt.equal(x, y)
                    elif op == NE:
                        y = pop()
                        x = stack[-1]
                        stack[-1] = x != y if type(x) is int else rt.not_equal(x, y)
                    elif op == LE:
                        y = pop()
                        x = stack[-1]
                        stack[-1] = x <= y if type(x) is int else rt.order("LE", x, y)
                    elif op == GT:
                        y = pop()
                        x = stack[-1]
                        stack[-1] = x > y if type(x) is int else rt.order("GT", x, y)
                    elif op == GE:
                        y = pop()
                        x = stack[-1]
                        stack[-1] = x >= y if type(x) is int else rt.order("GE", x, y)
                    elif op == JUMP_IF_TRUE:
                        if pop():
                            pc = a
                    elif op == POP:
                        pop()
                    elif op == DUP:
                        push(stack[-1])
                    elif op == LOAD_GLOBAL:
                        cls, name = owner.resolve_field(a)
                        push(rt.get_global(cls, name))
                    elif op == STORE_GLOBAL:
                        cls, name = owner.resolve_field(a)
                        rt.set_global(cls, name, pop())
                    elif op == INVOKE_NATIVE:
                        cut = len(stack) - b
                        args = stack[cut:]
                        del stack[cut:]
                        push(a(rt, *args))
                    elif op == INVOKE_SPECIAL:
                        target = owner.resolve_method(a)
                        if target.is_static:
                            raise LinkageError(f"INVOKE_SPECIAL of static method {target}")
                        cut = len(stack) - b
                        args = stack[cut:]
                        del stack[cut:]
                        if target.entry is None:
                            self.install(target)
                        push(rt.call_special(target, pop(), args))
                    elif op == NEW:
                        push(rt.new_instance(owner.resolve_class(a)))
                    elif op == GET_ITER:
                        stack[-1] = rt.get_iter(stack[-1])
                    elif op == BUILD_LIST:
                        cut = len(stack) - a
                        new = rt.build_list(stack[cut:])
                        del stack[cut:]
                        push(new)
                    elif op == BUILD_DICT:
                        cut = len(stack) - 2 * a
                        new = rt.build_dict(stack[cut:])
                        del stack[cut:]
                        push(new)
                    elif op == UNPACK:
                        stack.extend(rt.unpack(pop(), a))
                    elif op == LOAD_SLICE:
                        hi, lo = pop(), pop()
                        stack[-1] = rt.load_slice(stack[-1], lo, hi)
                    elif op == NOT:
                        stack[-1] = not stack[-1]
                    elif op == NEG:
                        r = -stack[-1]
                        stack[-1] = (r if type(r) is not int or -BIG_INT < r < BIG_INT
                                     else rt.heap.new_int(r))
                    elif op == IS:
                        y = pop()
                        stack[-1] = stack[-1] is y
                    elif op == IS_NOT:
                        y = pop()
                        stack[-1] = stack[-1] is not y
                    elif op == IN:
                        y = pop()
                        stack[-1] = rt.contains(stack[-1], y)
                    elif op == NOT_IN:
                        y = pop()
                        stack[-1] = rt.not_contains(stack[-1], y)
                    elif op == INSTANCEOF:
                        stack[-1] = (isinstance(stack[-1], a) if isinstance(a, type)
                                     else rt.instance_of(stack[-1], owner.resolve_class(a)))
                    elif op == RAISE:
                        raise rt.throw(pop())
                    elif op == NOP:
                        pass
            except GuestThrow as error:
                thrown = error
            except BudgetExhausted:
                raise
            except CONVERTIBLE as error:
                thrown = rt.convert(error)
            else:  # left the loop at a hot back edge: the frame continues compiled
                values = transfer(rt, frame, pc)
                return osr(*values)
            handler = self.find_handler(method, pc - 1, thrown.obj)
            if handler is None:
                add_trace(thrown.obj, method, pc - 1)
                raise thrown
            stack.clear()
            push(thrown.obj)
            pc = handler

    def find_handler(self, method, index: int, exc) -> int | None:
        for start, end, target, catch in method.handler_table:
            if start <= index < end and (
                    catch == 0 or self.rt.instance_of(exc, method.owner.resolve_class(catch))):
                return target
        return None


PRECISE_FRAMES[Interpreter.execute.__code__] = "frame"  # GC: scan the Frame, not temporaries


def add_trace(exc, method, index: int) -> None:
    """Append this frame to the guest stack trace carried by exception object ``exc``."""
    add_trace_line(exc, method, method.info.line_at(method.instrs[index].offset)
                   if index >= 0 else 0)


def add_trace_line(exc, method, line: int) -> None:
    exc.__dict__.setdefault("__trace__", []).append((method, line))


def arity_message(method, given: int) -> str:
    arity, required = method.arity, method.arity - len(method.defaults)
    if given > arity:
        plural = "s" if arity != 1 else ""
        return (f"{method.name}() takes {arity} positional argument{plural} but {given} "
                f"{'was' if given == 1 else 'were'} given")
    missing = required - given
    return f"{method.name}() missing {missing} required positional argument" + (
        "s" if missing > 1 else "")
