"""The JIT: hot methods are translated from bytecode to Python source and compiled.

A method-at-a-time baseline compiler in the spirit of the first JVM JITs (Cramer et al.,
"Compiling Java Just in Time", IEEE Micro 1997; Smith & Nair, *Virtual Machines*, 2005,
sec. 6.6), with Python as the target "machine code":

* **When.** The interpreter counts calls per method; at ``jit_threshold`` calls the method
  is compiled and its entry point replaced, so the *next call* runs the compiled code
  (a hot recursive method: every call after that, while the first, interpreted call is
  still on the stack).  A frame already running a hot loop moves by *on-stack
  replacement* (``osr.py``): the interpreter counts back edges per loop header and, at
  the threshold, calls :meth:`JIT.osr_entry`, a second translation of the method whose
  parameters are the frame's locals and operand stack and whose first block is that loop
  header.  The OSR entry speculates that the locals which held ints still do; a guard at
  each loop header *deoptimizes* (``raise DEOPT``: the compiled function hands its frame
  state to the interpreter, which finishes the call) when that no longer holds.
* **How.** The bytecode is cut into basic blocks; within a block the operand stack is
  *eliminated at compile time* by abstract interpretation: a stack of Python expression
  strings instead of values, so ``LOAD_LOCAL 0; LOAD_CONST 1; SUB`` becomes the text
  ``(L0 - 1)``.  Guest locals are Python locals ``L0, L1...``.  Expressions are
  materialized into temporaries before anything with a side effect, keeping the guest's
  evaluation order; values live across block edges in ``S0, S1...``.  Control flow is a
  ``while True`` loop over ``if b == k`` block tests (Python has no goto), except that a
  block with a single forward predecessor is emitted inline where that edge is taken
  (a superblock) and a block that only jumps is threaded through.
* **Fast paths with guards.** ``+`` on two ints is emitted inline, guarded by a type test
  whose failure calls the runtime's generic operation (a guard without deoptimization:
  the slow path is always available).  Only the OSR entry's int speculation (above) goes
  back to the interpreter.  Virtual calls use a per-site inline cache keyed by the
  receiver's class.
* **Exception handlers.** In a method with a handler table every block is dispatched (so
  ``b`` names the running block) and no block straddles a handler range; a guest
  exception is matched against the handlers covering block ``b`` and, as in the
  interpreter, continues at the handler with the exception as the only operand.
* **Call depth.** Compiled calls are counted (``rt.compiled_depth``) with the
  interpreter's frames against ``max_depth``, so a ``RecursionError`` happens at the same
  depth with the same trace in both engines.
* **Same results.** Errors become the same guest exceptions; the instruction budget is
  charged per basic block and checked at method entry and at every back edge.  The
  totals equal the interpreter's per-instruction count whenever blocks run to their end;
  when an exception unwinds through the middle of a compiled block, the rest of that
  block has already been charged (a small, documented over-count).  A guest stack trace
  gets the compiled frame's line from a generated-line -> source-line table.
* **Not compiled** at their entry (recorded in :attr:`JIT.bailouts`): the module
  initializer, which runs once; its loops are compiled by OSR.

``JIT.compiled[qualname].source`` is the generated Python, for students to read;
``JIT.osr[(qualname, offset)].source`` the OSR entry at the loop header at ``offset``.
"""

from __future__ import annotations

import keyword
import warnings
from dataclasses import dataclass, field

from .errors import GuestThrow
from .heap import BIG_INT, HeapExhausted
from .interpreter import VALUE_TYPE_OBJECTS, add_trace_line
from .loader import INIT
from .natives import IMPLEMENTATIONS, METHODS
from .osr import Deopt, resume
from .runtime import CONVERTIBLE, NATIVE_TYPES, SMALL_INT
from .stdlib import VALUE_TYPES
from .values import GuestList, GuestObject
from .verifier import entry_states

_END = object()
OOM_REFUSAL = "catches OutOfMemoryError (stays interpreted: see JIT.catches_out_of_memory)"
BINARY_SYMBOL = {"IS": "is", "IS_NOT": "is not"}
# Comparisons: inline when the left operand is an int, else the runtime charges their work.
COMPARISON = {"EQ": ("==", "RT.equal({x}, {y})"), "NE": ("!=", "RT.not_equal({x}, {y})"),
              "LT": ("<", "RT.order('LT', {x}, {y})"), "LE": ("<=", "RT.order('LE', {x}, {y})"),
              "GT": (">", "RT.order('GT', {x}, {y})"), "GE": (">=", "RT.order('GE', {x}, {y})")}
MEMBERSHIP = {"IN": "RT.contains({x}, {y})", "NOT_IN": "RT.not_contains({x}, {y})"}
MAX_INLINE_INDENT = 40  # Python's tokenizer allows 100 indentation levels
BLOCK_ENDERS = {"JUMP", "JUMP_IF_FALSE", "JUMP_IF_TRUE", "FOR_ITER", "RETURN", "RAISE"}


@dataclass
class CompiledMethod:
    method: object
    source: str
    function: object
    lines: dict[int, int] = field(default_factory=dict)  # generated line -> guest line


class JIT:
    def __init__(self, rt):
        self.rt = rt
        self.compiled: dict[str, CompiledMethod] = {}
        self.bailouts: dict[str, str] = {}
        self.osr: dict[tuple[str, int], CompiledMethod | None] = {}  # (method, offset)
        self.osr_entries: list[tuple[str, int, int]] = []  # (method, offset, line) per move
        self.deopts: list[tuple[str, int, int, str]] = []  # (method, offset, line, reason)
        self.unspeculated: set[tuple[str, int]] = set()  # OSR entries that deoptimized
        self.namespace = self._base_namespace()
        self._sites = 0

    def _base_namespace(self) -> dict:
        rt = self.rt
        ns = {"RT": rt, "GuestThrow": GuestThrow, "CONVERTIBLE": CONVERTIBLE, "END": _END,
              "GL": GuestList, "GO": GuestObject, "TRACE": add_trace_line,
              "ADD": rt.add, "MUL": rt.mul, "MOD": rt.mod, "GETITER": rt.get_iter,
              "FLOORDIV": rt.floordiv, "SMALL": SMALL_INT, "NEWINT": rt.heap.new_int,
              "BIG_INT": BIG_INT,
              "NEWLIST": rt.build_list, "NEWDICT": rt.build_dict, "UNPACK": rt.unpack,
              "STOREIDX": rt.store_index, "SLICE": rt.load_slice, "GETF": rt.get_field,
              "SETF": rt.set_field, "THROW": rt.throw, "HeapExhausted": HeapExhausted,
              "BIG": 2**4000, "REMEMBER": rt.heap.remember, "DEOPT": Deopt,
              "RESUME": lambda method, d: resume(rt, method, d), "FRAMES": rt.frames,
              "MAXD": getattr(rt.interpreter, "max_depth", 1000), "RECURSION": _too_deep}
        ns["VMISS"] = virtual_miss(rt)
        ns.update({f"N_{name}": fn for name, fn in IMPLEMENTATIONS.items()})
        ns.update({f"T_{name}": t for name, t in VALUE_TYPE_OBJECTS.items()})
        return ns

    def compile(self, method) -> CompiledMethod | None:
        """Compile ``method``'s normal entry (offset 0); the next call runs it."""
        reason = self.refusal(method)
        if reason is not None:
            self.bailouts[method.qualname] = reason
            return None
        compiled = self._build(Translator(self, method), method.qualname)
        if compiled is None:
            return None
        self.namespace[fn_name(method)] = compiled.function
        method.entry, method.compiled = compiled.function, compiled
        self.compiled[method.qualname] = compiled
        return compiled

    def osr_entry(self, method, index: int, depth: int, values: list):
        """The OSR entry of ``method`` at loop header ``method.instrs[index]`` for a frame
        with ``depth`` operand-stack slots and locals ``values`` (see ``osr.py``): a
        function of ``(L0..Ln-1, S0..Sk-1)``, or None if the method cannot be compiled.
        Locals that are ints now are speculated to stay ints (guarded at loop headers)."""
        offset = method.instrs[index].offset
        key = (method.qualname, offset)
        if key not in self.osr and self.catches_out_of_memory(method):
            self.bailouts[f"{method.qualname}@{offset}"] = OOM_REFUSAL
            self.osr[key] = None
        if key not in self.osr:
            speculate = frozenset(i for i, v in enumerate(values) if type(v) is int
                                  and key not in self.unspeculated)
            self.osr[key] = self._build(
                Translator(self, method, osr=(offset, depth), speculate=speculate),
                f"{method.qualname}@{offset}")
            if method.compiled is None and method.name != INIT:
                self.compile(method)  # later calls start compiled, too
        compiled = self.osr[key]
        return compiled.function if compiled is not None else None

    def _build(self, translator, label: str) -> CompiledMethod | None:
        method = translator.method
        try:
            source, lines = translator.translate()
            with warnings.catch_warnings():  # e.g. "is" with a literal: guest semantics
                warnings.simplefilter("ignore")
                code = compile(source, f"<jit:{label}>", "exec")
        except (SyntaxError, RecursionError, MemoryError, ValueError) as exc:
            # e.g. code nested deeper than the host compiler accepts: keep interpreting
            self.bailouts[label] = f"host compiler refused: {type(exc).__name__}"
            return None
        defined: dict = {}
        exec(code, self.namespace, defined)  # the function's globals: the shared namespace
        return CompiledMethod(method, source, defined[python_name(method)], lines)

    def refusal(self, method) -> str | None:
        """Why ``method``'s normal entry is not compiled (its loops may still be OSR'd)."""
        if method.name == INIT:
            return "module initializer runs once (its loops are compiled by OSR)"
        if self.catches_out_of_memory(method):
            return OOM_REFUSAL
        return None

    def catches_out_of_memory(self, method) -> bool:
        """Does a handler of ``method`` catch OutOfMemoryError (by name or a base class)?

        A compiled frame keeps its consumed temporaries until they are overwritten, and
        the collector scans host frames conservatively: garbage a method has just dropped
        may survive a collection.  Only a program that recovers from running out of
        memory can see the difference (it would run out again), so such methods stay
        interpreted, where the live set is exactly the frame's."""
        oom = getattr(self.rt, "oom", None)
        for h in method.info.handlers:
            if h.catch and (oom is None or self.rt.instance_of(
                    oom, method.owner.resolve_class(h.catch))):
                return True
        return False

    def site(self, value) -> str:
        """Bind ``value`` to a fresh global name in the shared namespace."""
        self._sites += 1
        name = f"K{self._sites}"
        self.namespace[name] = value
        return name


def python_name(method) -> str:
    """The generated function's name: the method's, so host error messages match."""
    name = method.name
    return name if name.isidentifier() and not keyword.iskeyword(name) else "method"


def fn_name(method) -> str:
    return f"F_{id(method)}"


class Translator:
    """Turns one method's bytecode into the source of one Python function."""

    def __init__(self, jit: JIT, method, osr: tuple[int, int] | None = None,
                 speculate: frozenset = frozenset()):
        self.jit, self.method, self.rt = jit, method, jit.rt
        self.osr = osr  # (loop header offset, operand-stack depth) of an OSR entry
        self.handlers = method.info.handlers
        self.speculate = speculate if not self.handlers else frozenset()
        self.known: set[int] = set()  # locals known to hold ints at this point
        self.owner, self.pool = method.owner, method.owner.cf.pool
        info = method.info
        states = entry_states(info.code, info.handlers, info.arity, info.max_locals)
        self.entry_depth = {off: len(state[0]) for off, state in states.items()}
        self.instrs = [i for i in method.instrs if i.offset in self.entry_depth]
        self.self_is_object = (not method.is_static and not any(
            i.op.name == "STORE_LOCAL" and i.args[0] == 0 for i in method.instrs))
        self.out: list[str] = []
        self.lines: dict[int, int] = {}
        self.lines_site = jit.site(self.lines)  # filled as the source is emitted
        self.line = 0
        self.temps = 0

    # ------------------------------------------------------------ output helpers

    def emit(self, text: str, indent: int) -> None:
        self.out.append("    " * indent + text)
        self.lines[len(self.out)] = self.line

    def temp(self) -> str:
        self.temps += 1
        return f"t{self.temps}"

    # ------------------------------------------------------------ structure

    def translate(self) -> tuple[str, dict[int, int]]:
        m, info = self.method, self.method.info
        if self.osr is None:  # the normal entry: the method's parameters
            params = [f"L{i}" for i in range(m.arity)]
            first_default = m.arity - len(m.defaults)
            for i, value in enumerate(m.defaults):
                params[first_default + i] += f"={value!r}"
            extra = [f"L{i}" for i in range(m.arity, info.max_locals)]
        else:  # the OSR entry: the running frame's locals and operand stack
            params = [f"L{i}" for i in range(info.max_locals)]
            params += [f"S{i}" for i in range(self.osr[1])]
            extra = []
        self.emit(f"def {python_name(m)}({', '.join(params)}):", 0)
        if extra:
            self.emit(" = ".join(extra) + " = None", 1)
        blocks = self.blocks()
        self.plan(blocks)
        self.loop_ranges = [(i.args[-1], i.offset) for i in self.instrs if "target" in
                            i.op.operands and i.args[-1] <= i.offset]  # (header, back edge)
        loops = any(i.op.name in ("JUMP", "JUMP_IF_FALSE", "JUMP_IF_TRUE", "FOR_ITER")
                    and i.args[-1] <= i.offset for i in self.instrs)
        self.loops = loops or bool(self.handlers)
        self.emit(f"b = {self.osr[0] if self.osr else 0}", 1)
        self.emit("rt = RT", 1)
        self.emit("limit = rt.limit", 1)  # the budget, fixed for the run (as in execute)
        if self.osr is None:  # guest call depth: interpreter frames + compiled calls
            self.emit("d = rt.compiled_depth + 1", 1)
            self.emit("if d + len(FRAMES) > MAXD: RECURSION()", 1)
            self.emit("rt.compiled_depth = d", 1)
        self.leave = "rt.compiled_depth = d - 1" if self.osr is None else None
        if self.handlers:
            self.with_handlers(blocks)
        else:
            self.without_handlers(blocks)
        assert not self.must_dispatch - {start for start, _ in blocks}
        return "\n".join(self.out) + "\n", self.lines

    def without_handlers(self, blocks) -> None:
        """One ``try`` around the dispatch loop: a guest exception leaves the method after
        adding this frame's line to its trace; a failed speculation resumes interpreted."""
        m, lines = self.method, self.lines_site
        self.emit("try:", 1)
        indent = 2
        if self.loops:
            self.emit("while True:", 2)
            indent = 3
        for start, body in self.dispatch_order(blocks):
            self.block(start, body, indent)
        self.emit("except GuestThrow as e:", 1)
        self.leaving(2)
        self.emit(f"TRACE(e.obj, {self.jit.site(m)}, {lines}.get("
                  "e.__traceback__.tb_lineno, 0))", 2)
        self.emit("raise", 2)
        self.emit("except CONVERTIBLE as e:", 1)
        self.leaving(2)
        self.emit("g = RT.convert(e)", 2)
        self.emit(f"TRACE(g.obj, {self.jit.site(m)}, {lines}.get("
                  "e.__traceback__.tb_lineno, 0))", 2)
        self.emit("raise g from None", 2)
        if self.speculate:
            self.emit("except DEOPT as why:", 1)
            self.leaving(2)
            self.forget(locals_too=True, indent=2)  # the interpreter frame holds them now
            self.emit(f"return RESUME({self.jit.site(m)}, why)", 2)

    def forget(self, locals_too: bool, indent: int) -> None:
        """Drop stale operand values (temporaries, ``S1..``; and the locals), so the
        collector, which scans this host frame, does not keep their objects alive."""
        depth = max(self.entry_depth.values(), default=0)
        names = [f"t{i}" for i in range(1, self.temps + 1)] + [
            f"S{i}" for i in range(1, depth)]
        if locals_too:
            names += [f"L{i}" for i in range(self.method.info.max_locals)] + ["S0"] * (depth > 0)
        if names:
            self.emit(" = ".join(names) + " = None", indent)

    def leaving(self, indent: int) -> None:
        """This compiled call is over (returned, raised, or deoptimized): one frame less."""
        if self.leave:
            self.emit(self.leave, indent)

    def with_handlers(self, blocks) -> None:
        """The exception table, compiled: every block is dispatched (``b`` always names
        the running block, and blocks never straddle a handler range), so a guest
        exception is matched against ``b``'s handlers as the interpreter matches the
        failing instruction's; a match continues at the handler with the exception as
        the only operand (``S0``), as the interpreter's ``stack.clear(); push(exc)``."""
        m, lines = self.method, self.lines_site
        handle = self.jit.site(self.handler_lookup(blocks))
        self.emit("while True:", 1)
        self.emit("try:", 2)
        self.emit("while True:", 3)
        for start, body in self.dispatch_order(blocks):
            self.block(start, body, 4)
        self.emit("except GuestThrow as e:", 2)
        self.emit("g, ln = e, e.__traceback__.tb_lineno", 3)
        self.emit("except CONVERTIBLE as e:", 2)
        self.emit("g, ln = RT.convert(e), e.__traceback__.tb_lineno", 3)
        self.emit(f"h = {handle}(b, g.obj)", 2)
        self.emit("if h is None:", 2)
        self.leaving(3)
        self.emit(f"TRACE(g.obj, {self.jit.site(m)}, {lines}.get(ln, 0))", 3)
        self.emit("raise g from None", 3)
        self.forget(locals_too=False, indent=2)  # the interpreter's stack.clear()
        self.emit("S0, b, g = g.obj, h, None", 2)
        if self.leave:
            self.emit("rt.compiled_depth = d", 2)

    def dispatch_order(self, blocks) -> list:
        """Blocks of inner loops first: a back edge's ``continue`` restarts the ``if b ==``
        tests from the top, so the hottest test should come first.  (In a loop any order
        is correct: a forward jump to a block tested earlier takes one more round.)"""
        if not self.loops:
            return blocks
        return sorted(blocks, key=lambda block: -sum(
            header <= block[0] <= end for header, end in self.loop_ranges))

    def handler_lookup(self, blocks):
        """``(block, exception) -> handler offset or None``, from the exception table."""
        rt, owner = self.rt, self.method.owner
        covering = {start: [(h.handler, h.catch) for h in self.handlers
                            if h.start <= start < h.end] for start, _ in blocks}

        def lookup(block: int, exc):
            for target, catch in covering[block]:
                if catch == 0 or rt.instance_of(exc, owner.resolve_class(catch)):
                    return target
            return None
        return lookup

    def blocks(self) -> list[tuple[int, list]]:
        leaders = {0}
        previous = None
        for i in self.instrs:  # a block lies inside or outside each handler range
            cover = tuple(h.start <= i.offset < h.end for h in self.handlers)
            if cover != previous:
                leaders.add(i.offset)
            previous = cover
        for i in self.instrs:
            if i.op.name in BLOCK_ENDERS:
                leaders.add(i.next_offset)
            if "target" in i.op.operands:
                leaders.add(i.args[-1])
        out = []
        leaders |= {h.handler for h in self.handlers}
        for ins in self.instrs:  # (unreachable code between two blocks is not listed)
            if ins.offset in leaders or not out or out[-1][1][-1].op.name in BLOCK_ENDERS:
                out.append((ins.offset, []))
            out[-1][1].append(ins)
        return out

    def plan(self, blocks: list[tuple[int, list]]) -> None:
        """Decide which blocks are *inlined* into their only predecessor.

        A block reached by exactly one forward edge needs no dispatch: its code is emitted
        where that edge is taken, with the abstract stack passed straight through (a
        superblock).  Blocks reached from several places or by a back edge keep an
        ``if b == k`` section.
        """
        self.body_of = dict(blocks)
        self.jump_only = {start: body[0].args[0] for start, body in blocks
                          if len(body) == 1 and body[0].op.name == "JUMP"
                          and self.entry_depth[start] == 0 and start != 0
                          and (self.osr is None or start != self.osr[0])}
        edges: dict[int, list[int]] = {start: [] for start, _ in blocks}
        for start, body in blocks:
            last = body[-1]
            targets = [] if last.op.name in ("RETURN", "RAISE") else (
                [last.args[-1]] if last.op.name == "JUMP" else [last.next_offset])
            if last.op.name in ("JUMP_IF_FALSE", "JUMP_IF_TRUE", "FOR_ITER"):
                targets.append(last.args[-1])
            for target in targets:
                edges[self.jump_only.get(target, target)].append(start)
        self.inlinable = {start for start, preds in edges.items()
                          if start != 0 and len(preds) == 1 and preds[0] < start
                          and start not in self.jump_only}
        if self.handlers:
            self.inlinable = set()  # b must name the running block (see with_handlers)
        if self.osr:
            self.inlinable.discard(self.osr[0])  # the OSR entry is dispatched
        self.must_dispatch: set[int] = set()

    def block(self, start: int, body: list, indent: int) -> None:
        if start in self.jump_only or (start in self.inlinable
                                       and start not in self.must_dispatch):
            return  # threaded through, or emitted inside its only predecessor
        self.emit(f"if b == {start}:", indent)
        self.known = set()
        self.block_body(start, [f"S{i}" for i in range(self.entry_depth[start])], indent + 1)

    def block_body(self, start: int, stack: list, indent: int) -> None:
        body = self.body_of[start]
        self.line = self.method.info.line_at(start)
        back_edge_target = any(i.op.name in ("JUMP", "JUMP_IF_FALSE", "JUMP_IF_TRUE",
                                             "FOR_ITER") and i.args[-1] == start
                               and i.offset >= start for i in self.instrs)
        if back_edge_target and self.speculate:
            self.guard(start, stack, indent)
        if start == 0 or back_edge_target:  # charge, and check the budget
            self.emit(f"rt.icount = ic = rt.icount + {len(body)}", indent)
            self.emit("if ic > limit: rt.exhausted()", indent)
        else:
            self.emit(f"rt.icount += {len(body)}", indent)
        ended = False
        for ins in body:
            self.line = self.method.info.line_at(ins.offset)
            ended = self.instruction(ins, stack, indent)
        if not ended:  # fall through to the next block
            nxt = body[-1].next_offset
            self.goto(nxt, stack, indent, body[-1].offset)

    def goto(self, target: int, stack: list, indent: int, here: int) -> None:
        jump = self.jump_only.get(target)
        if jump is not None:  # jump threading: skip a block that only jumps
            self.emit("rt.icount += 1", indent)
            here, target = target, jump
        if target in self.inlinable and target not in self.must_dispatch:
            if indent < MAX_INLINE_INDENT:
                known = set(self.known)  # what holds on this edge only
                self.block_body(target, list(stack), indent)
                self.known = known
                return
            self.must_dispatch.add(target)  # too deeply nested: dispatch it instead
        if stack:
            names = [f"S{i}" for i in range(len(stack))]
            if names != stack:
                self.emit(f"{', '.join(names)} = {', '.join(stack)}", indent)
        self.emit(f"b = {target}", indent)
        if target <= here and self.loops:
            self.emit("continue", indent)

    def guard(self, start: int, stack: list, indent: int) -> None:
        """The speculation check at a loop header (``osr.py``): the speculated locals
        still hold ints, else deoptimize to the interpreter before this block runs."""
        read = {i.args[0] for header, end in self.loop_ranges if header == start
                for i in self.instrs if header <= i.offset <= end and i.op.name == "LOAD_LOCAL"}
        names = sorted(self.speculate & read)  # those this loop reads
        self.known = set(names)
        if not names:
            return
        test = " or ".join(f"type(L{k}) is not int" for k in names)
        state = ", ".join(f"L{i}" for i in range(self.method.info.max_locals))
        self.emit(f"if {test}:", indent)
        self.emit(f"raise DEOPT({start}, [{state}], [{', '.join(stack)}], "
                  f"'a speculated int local changed type', {self.osr[0]})", indent + 1)

    def is_int(self, expr: str) -> bool:
        """Is ``expr`` known to be an int here (a guarded local, an int literal)?"""
        return (expr[:1] == "L" and expr[1:].isdigit() and int(expr[1:]) in self.known) or (
            expr.lstrip("-").isdigit())

    # ------------------------------------------------------------ stack discipline

    @staticmethod
    def trivial(expr: str) -> bool:
        return expr.isidentifier() or _is_literal(expr)

    def flush(self, stack: list, indent: int) -> None:
        """Materialize every pending expression (before a side effect)."""
        for i, expr in enumerate(stack):
            if not self.trivial(expr):
                t = self.temp()
                self.emit(f"{t} = {expr}", indent)
                stack[i] = t

    def value(self, stack: list, indent: int) -> str:
        """Pop an operand that may be used twice (make it trivial first)."""
        expr = stack.pop()
        if self.trivial(expr):
            return expr
        t = self.temp()
        self.emit(f"{t} = {expr}", indent)
        return t

    def args(self, stack: list, n: int) -> list[str]:
        if n == 0:
            return []
        taken = stack[-n:]
        del stack[-n:]
        return taken

    def call(self, stack: list, indent: int, text: str) -> None:
        self.flush(stack, indent)
        t = self.temp()
        self.emit(f"{t} = {text}", indent)
        stack.append(t)

    # ------------------------------------------------------------ instructions

    def instruction(self, ins, stack: list, indent: int) -> bool:  # one table
        name, a = ins.op.name, ins.args
        if name == "LOAD_LOCAL":
            stack.append(f"L{a[0]}")
        elif name == "LOAD_CONST":
            stack.append(repr(self.pool.get(a[0]).value))
        elif name == "STORE_LOCAL":
            value = stack.pop()
            target = f"L{a[0]}"
            for i, expr in enumerate(stack):
                if not self.trivial(expr) or expr == target:
                    t = self.temp()
                    self.emit(f"{t} = {expr}", indent)
                    stack[i] = t
            self.emit(f"{target} = {value}", indent)
            self.known.discard(a[0])
        elif name == "POP":
            expr = stack.pop()
            if not self.trivial(expr):
                self.emit(expr, indent)
        elif name == "DUP":
            stack.append(self.value(stack, indent))
            stack.append(stack[-1])
        elif name in BINARY_SYMBOL:
            y, x = stack.pop(), stack.pop()
            stack.append(f"({x} {BINARY_SYMBOL[name]} {y})")
        elif name in COMPARISON:
            y = self.value(stack, indent)
            x = self.value(stack, indent)
            symbol, slow = COMPARISON[name]
            stack.append(f"({x} {symbol} {y})" if self.is_int(x) and self.is_int(y) else
                         f"({x} {symbol} {y} if type({x}) is int else "
                         f"{slow.format(x=x, y=y)})")
        elif name in MEMBERSHIP:
            y, x = stack.pop(), stack.pop()
            stack.append(MEMBERSHIP[name].format(x=x, y=y))
        elif name in ("ADD", "MUL", "MOD", "FLOORDIV"):
            self.arith(name, stack, indent)
        elif name == "NEG":
            stack.append(self.charged_int(f"-{stack.pop()}"))
        elif name == "SUB":
            y, x = stack.pop(), stack.pop()
            stack.append(self.charged_int(f"{x} - {y}"))
        elif name == "NOT":
            stack.append(f"(not {stack.pop()})")
        elif name == "LOAD_INDEX":
            y = self.value(stack, indent)
            x = self.value(stack, indent)
            stack.append(f"({x}[{y}] if type({y}) is int and type({x}) is not str "
                         f"else RT.load_index({x}, {y}))")
        elif name == "LOAD_FIELD":
            obj, attr = stack.pop(), self.pool.name(a[0])
            if obj == "L0" and self.self_is_object:
                stack.append(f"L0.{attr}")
            else:
                stack.append(f"GETF({obj}, {attr!r})")
        else:
            return self.effectful(ins, stack, indent)
        return False

    def charged_int(self, expr: str) -> str:
        """``expr``'s value, charged to the heap if it is an integer above 512 bits."""
        t = self.temp()
        return (f"({t} if type({t} := {expr}) is not int or -BIG_INT < {t} < BIG_INT "
                f"else NEWINT({t}))")

    def arith(self, name: str, stack: list, indent: int) -> None:
        y = self.value(stack, indent)
        x = self.value(stack, indent)
        if name == "ADD":
            guard = " and ".join(f"type({v}) is int" for v in (x, y)
                                 if not _is_literal(v) and not self.is_int(v))
            total = self.charged_int(f"{x} + {y}")
            stack.append(f"({total} if {guard} else ADD({x}, {y}))" if guard else total)
        elif name == "MUL" and _is_small_int(y) and not _is_literal(x):
            stack.append(f"({x} * {y} if type({x}) is int and -BIG < {x} < BIG else MUL({x}, {y}))")
        elif name == "MUL":  # the interpreter's own inline test (products below 512 bits)
            stack.append(f"({x} * {y} if type({x}) is int and type({y}) is int and "
                         f"({x}).bit_length() + ({y}).bit_length() < 512 else MUL({x}, {y}))")
        else:  # MOD, FLOORDIV: inline below SMALL, else charged by its size
            symbol = "%" if name == "MOD" else "//"
            stack.append(f"({x} {symbol} {y} if type({x}) is int and -SMALL < {x} < SMALL "
                         f"else {name}({x}, {y}))")

    def effectful(self, ins, stack: list, indent: int) -> bool:  # one table
        name, a, site = ins.op.name, ins.args, self.jit.site
        if name == "RETURN":
            self.leaving(indent)
            self.emit(f"return {stack.pop()}", indent)
            return True
        if name == "RAISE":
            self.emit(f"raise THROW({stack.pop()})", indent)
            return True
        if name == "JUMP":
            self.goto(a[0], stack, indent, ins.offset)
            return True
        if name in ("JUMP_IF_FALSE", "JUMP_IF_TRUE"):
            cond = stack.pop()
            self.flush(stack, indent)
            if stack:
                c = self.temp()
                self.emit(f"{c} = {cond}", indent)
                cond = c
            test = f"not {cond}" if name == "JUMP_IF_FALSE" else cond
            self.emit(f"if {test}:", indent)
            self.goto(a[0], list(stack), indent + 1, ins.offset)
            self.emit("else:", indent)
            self.goto(ins.next_offset, stack, indent + 1, ins.offset)
            return True
        if name == "FOR_ITER":
            self.flush(stack, indent)
            item = self.temp()
            self.emit(f"{item} = next(L{a[0]}, END)", indent)
            self.emit(f"if {item} is END:", indent)
            self.goto(a[1], list(stack), indent + 1, ins.offset)
            stack.append(item)
            self.emit("else:", indent)
            self.goto(ins.next_offset, stack, indent + 1, ins.offset)
            return True
        if name == "STORE_FIELD":
            obj, value = stack.pop(), stack.pop()
            self.flush(stack, indent)
            attr = self.pool.name(a[0])
            if obj == "L0" and self.self_is_object:
                self.emit("if L0._vm_old: REMEMBER(L0)", indent)  # write barrier
                self.emit(f"L0.{attr} = {value}", indent)
            else:
                self.emit(f"SETF({obj}, {attr!r}, {value})", indent)
        elif name == "STORE_INDEX":
            index, container = self.value(stack, indent), self.value(stack, indent)
            value = self.value(stack, indent)
            self.flush(stack, indent)
            self.emit(f"if type({container}) is GL and not {container}._vm_old: "
                      f"{container}[{index}] = {value}", indent)
            self.emit(f"else: STOREIDX({value}, {container}, {index})", indent)
        elif name == "INVOKE_STATIC":
            args = self.args(stack, a[1])
            self.call(stack, indent, f"{self.static_target(a[0])}({', '.join(args)})")
        elif name == "INVOKE_VIRTUAL":
            args = self.args(stack, a[1])
            receiver = self.value(stack, indent)
            cache = site({})
            method = self.pool.name(a[0])
            lookup = f"({cache}.get(type({receiver})) or VMISS({cache}, {receiver}, {method!r}))"
            self.call(stack, indent, f"{lookup}.entry({', '.join([receiver] + args)})")
        elif name == "INVOKE_SPECIAL":
            args = self.args(stack, a[1])
            receiver = stack.pop()
            fn = site(self.special_site(a[0]))
            self.call(stack, indent, f"{fn}({', '.join([receiver] + args)})")
        elif name == "INVOKE_NATIVE":
            args = self.args(stack, a[1])
            self.call(stack, indent, f"N_{self.pool.name(a[0])}(rt, {', '.join(args)})")
        elif name == "LOAD_GLOBAL":
            self.call(stack, indent, f"{site(self.global_site(a[0]))}()")
        elif name == "STORE_GLOBAL":
            value = stack.pop()
            self.flush(stack, indent)
            self.emit(f"{site(self.global_site(a[0], store=True))}({value})", indent)
        elif name == "NEW":
            fn = site(lambda owner=self.owner, i=a[0]: self.rt.new_instance(
                owner.resolve_class(i)))
            self.call(stack, indent, f"{fn}()")
        elif name == "INSTANCEOF":
            value, cls = stack.pop(), self.pool.name(a[0])
            if cls in VALUE_TYPES:
                stack.append(f"isinstance({value}, T_{cls})")
            else:
                fn = site(lambda v, owner=self.owner, i=a[0]: self.rt.instance_of(
                    v, owner.resolve_class(i)))
                self.call(stack, indent, f"{fn}({value})")
        elif name == "GET_ITER":
            self.call(stack, indent, f"GETITER({stack.pop()})")
        elif name == "BUILD_LIST":
            items = self.args(stack, a[0])
            self.call(stack, indent, f"NEWLIST([{', '.join(items)}])")
        elif name == "BUILD_DICT":
            items = self.args(stack, 2 * a[0])
            self.call(stack, indent, f"NEWDICT([{', '.join(items)}])")
        elif name == "UNPACK":
            seq = stack.pop()
            self.flush(stack, indent)
            names = [self.temp() for _ in range(a[0])]
            self.emit(f"{', '.join(names)}, = UNPACK({seq}, {a[0]})", indent)
            stack.extend(names)
        elif name == "LOAD_SLICE":
            hi, lo, seq = stack.pop(), stack.pop(), stack.pop()
            self.call(stack, indent, f"SLICE({seq}, {lo}, {hi})")
        elif name != "NOP":
            raise AssertionError(f"JIT has no translation for {name}")
        return False

    # ------------------------------------------------------------ call sites

    def static_target(self, index: int) -> str:
        """The global name holding the callee's entry point (updated when it compiles)."""
        target = self.owner.resolved.get(index)
        if target is None:
            def lazy(*args, owner=self.owner, i=index):
                return self.rt.call(_static(owner.resolve_method(i)), args)
            return self.jit.site(lazy)
        _static(target)
        if target.entry is None:
            self.rt.interpreter.install(target)
        name = fn_name(target)
        if target.compiled is None:
            self.jit.namespace[name] = _Forward(target)
        return name

    def special_site(self, index: int):
        rt, owner = self.rt, self.owner

        def special(receiver, *args):
            method = owner.resolve_method(index)
            if method.is_static:
                raise_linkage(f"INVOKE_SPECIAL of static method {method}")
            if method.entry is None:
                rt.interpreter.install(method)
            return rt.call_special(method, receiver, args)
        return special

    def global_site(self, index: int, store: bool = False):
        rt, owner = self.rt, self.owner
        if store:
            return lambda value: rt.set_global(*owner.resolve_field(index), value)
        return lambda: rt.get_global(*owner.resolve_field(index))


class _Forward:
    """Calls a not-yet-compiled callee through its current entry point."""

    def __init__(self, method):
        self.method = method

    def __call__(self, *args):
        return self.method.entry(*args)


class _NativeMethod:
    """An inline-cache entry for a built-in type's method (``list.append``...)."""

    def __init__(self, rt, receiver, name):
        self.rt, self.name = rt, name
        self.native = METHODS.get((NATIVE_TYPES.get(type(receiver)), name))

    def entry(self, receiver, *args):
        if self.native is None or not self.native[1] <= len(args) <= self.native[2]:
            return self.rt.call_virtual(receiver, self.name, args)  # raises the error
        return self.native[0](self.rt, receiver, *args)


def _too_deep():
    raise RecursionError("maximum recursion depth exceeded")


def _static(method):
    if not method.is_static:
        raise_linkage(f"INVOKE_STATIC of instance method {method}")
    return method


def raise_linkage(message: str):
    from .errors import LinkageError
    raise LinkageError(message)


def _is_small_int(expr: str) -> bool:
    return expr.lstrip("-").isdigit() and abs(int(expr)) < 2**16


def _is_literal(expr: str) -> bool:
    return expr in ("None", "True", "False") or expr.lstrip("-").isdigit() or (
        expr[:1] in "'\"" and expr[-1:] == expr[:1])


def virtual_miss(rt):
    """The slow path of an inline cache: look the method up, remember it for this class."""
    def miss(cache: dict, receiver, name: str):
        if isinstance(receiver, GuestObject):
            method = receiver._vm_cls.vtable.get(name)
            if method is None:
                raise AttributeError(f"'{receiver._vm_cls.name}' object has no attribute "
                                     f"'{name}'")
            if method.entry is None:
                rt.interpreter.install(method)
            cache[type(receiver)] = method
            return method
        native = cache[type(receiver)] = _NativeMethod(rt, receiver, name)
        return native
    return miss
