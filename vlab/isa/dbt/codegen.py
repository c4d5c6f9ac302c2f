"""Code generation: a path of guest instructions -> the source of one Python function.

Every instruction's behaviour comes from its row of the ISA table (``spec.semantics``,
the same string the interpreter compiles; vlab/isa/spec/instr.py defines the language).
The translator parses that string and rewrites it -- it never restates what an
instruction does:

* operands become constants (``imm``, ``shamt``, ``pc``... are known at translation
  time) and registers become Python *locals* ``x5``, ``x10``... loaded from the hart's
  register list when the function is entered and written back when it leaves (x0 reads
  are the constant 0); ``sx``, ``load``, ``store`` are rewritten by the interpreter's own
  rewriter (vlab/isa/semantics.py), so the two engines share one derivation;
* constant subexpressions are folded (``pc + imm`` becomes the branch target);
* memory accesses are *inlined*: in Bare mode the fast path indexes the RAM memoryview;
  with Sv32 on it looks the page up in the MMU's translation views -- an inline software
  TLB -- and only a miss, MMIO, a misaligned access or a store to a page holding code
  calls the interpreter's memory port;
* 32-bit masking is *lazy*: a result of ``+ - & | ^ << *`` (whose low 32 bits only
  depend on the operands' low 32 bits) is kept unmasked until a value is *observed* --
  compared, shifted right, divided, stored, used as a signed value, or written back to
  the hart -- and every register is masked at a loop's back edge (so values stay small);
* control flow follows the *path*: a branch whose direction the path continues in
  becomes a guard whose other direction is a *side exit*; when the path's last
  instruction leads back to its first, the path is a loop inside one Python ``for``
  loop that counts down the iterations the budget allows.

Precise state.  No bookkeeping runs on the fast path: each instruction occupies its own
source lines, so when a memory access raises (a guest trap, or the port asking for the
exact path) the *line number* in the traceback says which instruction it was.  The
handler writes the register locals back -- they hold exactly the values before that
instruction, because the semantics check before they write -- and reports
``(instruction index, iterations left, exception)``; the engine derives pc and
instructions retired from that.  Normal exits report ``(exit id, iterations left,
dynamic target)``; ``Region.exits[exit id]`` is ``(target pc or None, position)``.

The retired count of an exit is ``(k0 - k) * len(path) + position``: ``k0`` loop
iterations were allowed by the caller's budget, ``k`` are left.
"""
from __future__ import annotations

import ast
import operator
from dataclasses import dataclass, field

from vlab.isa.disasm import disassemble
from vlab.isa.semantics import MASK32, UNSIGNED_RESULT_CALLS, _known_u32, _Rewriter

FIELD_CONSTANTS = ('imm', 'shamt', 'csr', 'zimm', 'pred', 'succ', 'aq', 'rl')
ALL_REGISTERS = frozenset(f'x{n}' for n in range(1, 32))
WRAP_SAFE_OPS = (ast.Add, ast.Sub, ast.BitAnd, ast.BitOr, ast.BitXor, ast.Mult)
LOAD_CALLS = {'_load_1s', '_load_1u', '_load_2s', '_load_2u', '_load_4s', '_load_4u'}
STORE_CALLS = {'_store_1', '_store_2', '_store_4'}
CLOSURE_NAMES = ('W', 'H', 'B', 'WATCH', 'RGET', 'WGET', 'LINES', '_misfetch', 'tdiv', 'trem',
                 *sorted(LOAD_CALLS), *sorted(STORE_CALLS))


@dataclass
class Region:
    """Generated code for a path (a block or a trace), ready to compile."""

    name: str
    path: tuple                       # GuestInstr, in path order
    loops: bool                       # the path's end leads back to its start
    paged: bool                       # memory through the inline software TLB
    source: str = ''
    paths: tuple = ()                 # a tree: every path (path is the first)
    exits: list = field(default_factory=list)    # id -> (target|None, position, side,
    #                                               from pc, memory accesses this iteration)
    lines: dict = field(default_factory=dict)    # source line -> node id
    nodes: list = field(default_factory=list)    # id -> (pc, position, memory accesses before)
    iteration_memops: int = 0         # memory accesses per iteration of the first path
    unit: int = 1                     # instructions per iteration of the first path

    @property
    def head(self) -> int:
        return self.path[0].pc

    def __len__(self) -> int:
        return len(self.path)


# ------------------------------------------------------------------ expression rewriting
class _Operands(_Rewriter):
    """The interpreter's rewriter, with registers as locals and fields as constants."""

    def __init__(self, instr):
        f = instr.fields
        self.regs = {'rs1': f.get('rs1', 0), 'rs2': f.get('rs2', 0)}
        super().__init__(instr.spec, self.regs['rs1'] == 0, self.regs['rs2'] == 0)
        self.consts = {name: f.get(name, 0) for name in FIELD_CONSTANTS}
        self.consts.update(rd_num=f.get('rd', 0), rs1_num=self.regs['rs1'],
                           rs2_num=self.regs['rs2'], pc=instr.pc)

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load):
            if node.id in self.regs:
                number = self.regs[node.id]
                return ast.Constant(0) if number == 0 else ast.Name(f'x{number}', ast.Load())
            if node.id in self.consts:
                return ast.Constant(self.consts[node.id])
        return node


BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.LShift: operator.lshift,
          ast.RShift: operator.rshift, ast.BitAnd: operator.and_, ast.BitOr: operator.or_,
          ast.BitXor: operator.xor}
UNARY = {ast.USub: operator.neg, ast.Invert: operator.invert, ast.Not: operator.not_}
COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
           ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}


def _constant_value(node):
    """The value of an operator applied to constants (None if not foldable)."""
    try:
        if isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant) \
                and isinstance(node.right, ast.Constant):
            return BINARY[type(node.op)](node.left.value, node.right.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
            return UNARY[type(node.op)](node.operand.value)
        if isinstance(node, ast.Compare) and len(node.ops) == 1 \
                and isinstance(node.left, ast.Constant) \
                and isinstance(node.comparators[0], ast.Constant):
            return COMPARE[type(node.ops[0])](node.left.value, node.comparators[0].value)
    except (ArithmeticError, KeyError):
        return None                           # e.g. 0 // 0 on a path the guard never takes
    return None


class _Fold(ast.NodeTransformer):
    """Constant folding, ``v + 0`` -> ``v``, and ``if <constant>:`` -> the taken arm."""

    def generic_visit(self, node):
        node = super().generic_visit(node)
        if isinstance(node, ast.IfExp) and isinstance(node.test, ast.Constant):
            return node.body if node.test.value else node.orelse
        if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Compare)):
            value = _constant_value(node)
            if value is not None:
                return ast.copy_location(ast.Constant(value), node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.BitOr,
                                                                 ast.BitXor)) \
                and isinstance(node.right, ast.Constant) and node.right.value == 0:
            return node.left
        return node

    def visit_If(self, node):
        node = self.generic_visit(node)
        if isinstance(node.test, ast.Constant):
            return (node.body if node.test.value else node.orelse) or ast.Pass()
        return node


def _wrap_safe(node) -> bool:
    """True when the low 32 bits of ``node`` depend only on its inputs' low 32 bits."""
    if isinstance(node, (ast.Constant, ast.Name)):
        return True
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Name) and node.func.id in LOAD_CALLS
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, (ast.Invert, ast.USub)) and _wrap_safe(node.operand)
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.LShift):      # amount must be exact: constant or v & 31
            amount = node.right
            small = isinstance(amount, ast.Constant) or (
                isinstance(amount, ast.BinOp) and isinstance(amount.op, ast.BitAnd)
                and isinstance(amount.right, ast.Constant) and amount.right.value >= 0)
            return small and _wrap_safe(node.left)
        return isinstance(node.op, WRAP_SAFE_OPS) and _wrap_safe(node.left) \
            and _wrap_safe(node.right)
    return False


def _mask(node):
    return ast.BinOp(left=node, op=ast.BitAnd(), right=ast.Constant(MASK32))


def _registers_read(node) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id[:1] == 'x'
            and n.id[1:].isdigit() and isinstance(n.ctx, ast.Load)}


# ------------------------------------------------------------------ inline memory access
# Bare mode: ``_o`` is the offset into RAM.  ``not _o & RAMMASKn`` says "0 <= _o < SIZE and
# _o is n-aligned" in one operation (RAMMASKn = -SIZE | (n - 1); SIZE a power of two).
# An address that is out of range, misaligned or not yet masked to 32 bits just takes the
# port's exact path.  Paged mode: ``_p`` is the RAM offset of the page the MMU's views
# say the current privilege may read (``RGET``) or write (``WGET``): a software TLB hit.
VIEWS = {4: 'W', 2: 'H', 1: 'B'}


def _ram_offset(addr):
    """``addr - BASE`` with a constant displacement folded in: ``x5 - (BASE - 8)``."""
    if isinstance(addr, ast.BinOp) and isinstance(addr.op, (ast.Add, ast.Sub)) \
            and isinstance(addr.left, ast.Name) and isinstance(addr.right, ast.Constant):
        displacement = addr.right.value if isinstance(addr.op, ast.Add) else -addr.right.value
        return f'{addr.left.id} - (BASE - {displacement})'
    return f'({ast.unparse(addr)}) - BASE'


def _slow_test(addr, size, paged, lookup, reuse=False):
    """(test that is true when the fast path cannot be taken, index into the view, the
    address the slow path is called with).  ``reuse``: ``_o`` already holds this
    address's RAM offset (same expression, its registers unchanged since).

    The fast path is the ``else`` arm: CPython then falls through without a jump."""
    if paged:
        index = '(_p | (_a & 0xFFF))'
        test = f'(_p := {lookup}((_a := {ast.unparse(addr)}) >> 12)) is None'
        if size > 1:
            test += f' or _a & {size - 1}'
        return test, index, '_a'
    offset = '_o' if reuse else f'(_o := {_ram_offset(addr)})'
    return f'{offset} & RAMMASK{size}', '_o', ast.unparse(addr)


def _inline_load(call, paged, reuse=False):
    """``_load_4u(a)`` -> an expression doing the RAM / software-TLB fast path inline."""
    name = call.func.id
    size, signed = int(name[6]), name[7] == 's'
    test, index, slow_addr = _slow_test(call.args[0], size, paged, 'RGET', reuse)
    shift = {4: ' >> 2', 2: ' >> 1', 1: ''}[size]
    value = f'{VIEWS[size]}[{index}{shift}]'
    if signed:
        bit = 1 << (8 * size - 1)
        value = f'(({value} ^ {bit:#x}) - {bit:#x})'
    return f'({name}({slow_addr}) if {test} else {value})'


def _inline_store(call, paged, exact, reuse=False):
    """``_store_4(a, v)`` -> lines of an if/else: the port, or the fast RAM / software-TLB
    path."""
    name = call.func.id
    size = int(name[7])
    value_node = call.args[1]
    value = ast.unparse(value_node)
    if not (size == 4 and isinstance(value_node, ast.Name) and value_node.id in exact):
        value = f'({value}) & {(1 << (8 * size)) - 1:#x}'
    test, index, slow_addr = _slow_test(call.args[0], size, paged, 'WGET', reuse)
    if not paged:                            # pages holding code are watched (WGET never has them)
        test += ' or WATCH[_o >> 12]'
    shift = {4: ' >> 2', 2: ' >> 1', 1: ''}[size]
    return [f'if {test}:', f'    {name}({slow_addr}, {ast.unparse(value_node)})', 'else:',
            f'    {VIEWS[size]}[{index}{shift}] = {value}']


class _InlineLoads(ast.NodeTransformer):
    def __init__(self, translator):
        self.translator = translator

    def visit_Call(self, node):
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in LOAD_CALLS:
            reuse = self.translator.offset_reuse(node.args[0])
            return ast.parse(_inline_load(node, self.translator.paged, reuse), mode='eval').body
        return node


# ------------------------------------------------------------------ one instruction
_MEMO: dict = {}
MEMO_LIMIT = 1 << 16


class InstructionTranslator:
    """Rewrites one instruction's semantics into statements over register locals.

    ``inexact`` is the set of register locals that may hold a value not yet masked to 32
    bits (lazy masking, see module docstring); ``linear`` those of them whose value can
    only have grown by a bounded amount (``x = y + c``, ``x = y - z`` with ``c``, ``z``
    exact): they may stay unmasked across a loop's back edge."""

    def __init__(self, paged: bool, inexact=frozenset()):
        self.paged = paged
        self.inexact: set[str] = set(inexact)
        self.linear: set[str] = set(inexact)
        self.written: set[str] = set()
        self.touched: set[str] = set()
        self.offset: str | None = None      # address whose RAM offset ``_o`` holds (Bare)

    def offset_reuse(self, addr) -> bool:
        """True when ``_o`` already holds ``addr``'s offset; remember it for later."""
        text = ast.unparse(addr)
        reuse = not self.paged and text == self.offset
        self.offset = text
        return reuse

    def _forget_offset(self, name: str) -> None:
        if self.offset is not None and name in _registers_read(ast.parse(self.offset)):
            self.offset = None

    @property
    def exact(self) -> set[str]:
        return ALL_REGISTERS - self.inexact

    def statements(self, instr):
        """(lines, jump) for ``instr``; jump is None, ('static', pc) or ('dynamic',)
        -- the target is then in ``_npc`` -- or ('branch', test source, taken pc).

        Memoized: the result depends only on the instruction, its address and the
        masking state of its own registers (a trace re-translates its blocks' code)."""
        own = frozenset(f'x{instr.fields.get(r, 0)}' for r in ('rd', 'rs1', 'rs2')) - {'x0'}
        key = (instr.word, instr.pc, self.paged, own & self.inexact, own & self.linear,
               self.offset)
        memo = _MEMO.get(key)
        if memo is None:
            before = (set(self.inexact), set(self.linear), self.touched, self.written)
            self.touched, self.written = set(), set()
            lines, jump = self._translate(instr)
            memo = (lines, jump, own & self.inexact, own & self.linear,
                    self.touched, self.written, self.offset)
            self.inexact, self.linear, self.touched, self.written = before
            if len(_MEMO) > MEMO_LIMIT:
                _MEMO.clear()
            _MEMO[key] = memo
        lines, jump, inexact, linear, touched, written, self.offset = memo
        self.inexact = (self.inexact - own) | inexact
        self.linear = (self.linear - own) | linear
        self.touched |= touched
        self.written |= written
        return list(lines), jump

    def _translate(self, instr):
        tree = ast.parse(instr.spec.semantics)
        tree = _Fold().visit(_Operands(instr).visit(tree))
        rd = instr.fields.get('rd', 0) if 'rd' in instr.spec.syntax else 0
        self.touched |= _registers_read(tree)
        if rd:
            self.touched.add(f'x{rd}')
        body = [stmt for stmt in tree.body if not isinstance(stmt, ast.Pass)]
        if len(body) == 1 and isinstance(body[0], ast.If) and not body[0].orelse \
                and self._assigns_next_pc(body[0].body):
            return self._branch(body[0])
        lines, jump = [], None
        for stmt in body:
            out, stmt_jump = self._statement(stmt, rd)
            lines += out
            jump = stmt_jump or jump
        return lines, jump

    @staticmethod
    def _assigns_next_pc(stmts):
        return len(stmts) == 1 and isinstance(stmts[0], ast.Assign) \
            and isinstance(stmts[0].targets[0], ast.Name) and stmts[0].targets[0].id == 'next_pc'

    def _observe(self, node) -> list[str]:
        """Mask the inexact registers an unsafe expression reads (they are observed)."""
        names = sorted(_registers_read(node) & self.inexact, key=lambda n: int(n[1:]))
        self.inexact -= set(names)
        self.linear -= set(names)
        return [f'{n} &= {MASK32:#x}' for n in names]

    def _branch(self, node):
        test = node.test
        zero_test = self._zero_test(test)
        lines = [] if zero_test else self._observe(test)
        target = _Fold().visit(node.body[0].value)
        if not isinstance(target, ast.Constant):
            raise ValueError('branch target is not a translation-time constant')
        return lines, ('branch', zero_test or ast.unparse(test), target.value & MASK32)

    def _zero_test(self, test) -> str | None:
        """``x == 0`` / ``x != 0`` on an unmasked register observes only its low 32 bits:
        test ``x & M`` and leave ``x`` unmasked (BEQZ/BNEZ closing a counted loop)."""
        if isinstance(test, ast.Compare) and len(test.ops) == 1 \
                and isinstance(test.ops[0], (ast.Eq, ast.NotEq)) \
                and isinstance(test.left, ast.Name) and test.left.id in self.inexact \
                and isinstance(test.comparators[0], ast.Constant) \
                and test.comparators[0].value == 0:
            masked = f'{test.left.id} & {MASK32:#x}'
            return masked if isinstance(test.ops[0], ast.NotEq) else f'not {masked}'
        return None

    def _statement(self, stmt, rd):
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) \
                and stmt.targets[0].id in ('rd', 'next_pc'):
            value = stmt.value
            if stmt.targets[0].id == 'next_pc':
                return self._jump(value)
            return self._write_rd(value, rd), None
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) \
                and isinstance(stmt.value.func, ast.Name) and stmt.value.func.id in STORE_CALLS:
            reuse = self.offset_reuse(stmt.value.args[0])
            return _inline_store(stmt.value, self.paged, self.exact, reuse), None
        lines = self._observe(stmt)
        stmt = _InlineLoads(self).visit(stmt)
        return lines + ast.unparse(stmt).split('\n'), None

    def _write_rd(self, value, rd):
        if isinstance(value, ast.Constant):
            value = ast.Constant(value.value & MASK32)
        safe = _wrap_safe(value)
        lines = [] if safe else self._observe(value)
        known = _known_u32(value, self.exact)
        if not known and not safe:
            value = _Fold().visit(_mask(value))
            known = _known_u32(value, self.exact) or isinstance(value, ast.Constant)
        value = _InlineLoads(self).visit(value)
        if not rd:                                   # x0: keep only a faulting load
            calls = any(isinstance(n, ast.Call) for n in ast.walk(value))
            return lines + ([ast.unparse(value)] if calls else [])
        name = f'x{rd}'
        self.written.add(name)
        self._forget_offset(name)
        if known:
            self.inexact.discard(name)
            self.linear.discard(name)
        else:
            self.inexact.add(name)
            (self.linear.add if self._grows_linearly(value) else self.linear.discard)(name)
        return lines + [f'{name} = {ast.unparse(value)}']

    def _grows_linearly(self, value) -> bool:
        if not (isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Add, ast.Sub))):
            return False
        bounded = [isinstance(v, ast.Constant) or (isinstance(v, ast.Name)
                   and v.id in ALL_REGISTERS and v.id not in self.inexact)
                   for v in (value.left, value.right)]
        names = [isinstance(v, ast.Name) for v in (value.left, value.right)]
        return (names[0] and bounded[1]) or (names[1] and bounded[0] and
                                            isinstance(value.op, ast.Add))

    def _jump(self, value):
        lines = [] if _wrap_safe(value) else self._observe(value)
        if not _known_u32(value, self.exact):
            value = _Fold().visit(_mask(value))
        if isinstance(value, ast.Constant):
            return lines, ('static', value.value & MASK32)
        return lines + [f'_npc = {ast.unparse(value)}',
                        'if _npc & 3:', '    _misfetch(_npc)'], ('dynamic',)


# ------------------------------------------------------------------ a whole path
class PathTranslator:
    """Emits the function for a region: one path, or a *tree* of looping paths that
    share their start (see the module docstring for the protocol)."""

    def __init__(self, region: Region, inexact=frozenset()):
        self.region = region
        self.instr = InstructionTranslator(region.paged, inexact)
        self.body: list[tuple[int, str, int]] = []     # (indent, text, node id)
        self.carried: set[str] = set()     # left unmasked at the back edges
        self.longest = max(len(p) for p in region.paths)
        self.main_memops = sum(i.spec.fmt in ('LOAD', 'S') for i in region.path)
        self.mem_after = 0                 # memory accesses so far in this iteration

    def emit(self, indent, text, node=-1):
        if text.endswith(f' &= {MASK32:#x}') and self._fuse_mask(indent, text.split(' ')[0]):
            return
        self.body.append((indent, text, node))

    def _fuse_mask(self, indent, name) -> bool:
        """Peephole: ``x = e`` (then only comments) ``x &= M`` -> ``x = (e) & M``."""
        for at in range(len(self.body) - 1, -1, -1):
            line_indent, line, node = self.body[at]
            if line.startswith('#'):
                continue
            if line_indent == indent and line.startswith(f'{name} = '):
                self.body[at] = (indent, f'{name} = ({line[len(name) + 3:]}) & {MASK32:#x}',
                                 node)
                return True
            return False
        return False

    def exit(self, indent, target, position, node, side=False):
        source = self.region.nodes[node][0]
        self.region.exits.append((target, position, int(side), source, self.mem_after))
        self.emit(indent, f'_xid = {len(self.region.exits) - 1}', node)
        self.emit(indent, 'break', node)

    def back_edge(self, indent, length, node):
        """Close the loop.  Iterations are counted by the ``for`` loop in units of the
        first path; another path of a tree adds the difference of lengths to ``n`` (and of
        memory accesses to ``h``)."""
        instr = self.instr
        for name in sorted(instr.inexact - instr.linear, key=lambda n: int(n[1:])):
            self.emit(indent, f'{name} &= {MASK32:#x}', node)
        self.carried |= instr.inexact & instr.linear
        if length != len(self.region.path):
            self.emit(indent, f'n += {length - len(self.region.path)}', node)
        if self.mem_after != self.main_memops and self.region.paged:
            self.emit(indent, f'h += {self.mem_after - self.main_memops}', node)
        self.emit(indent, 'continue', node)

    def go(self, indent, target, group, depth, node):
        """Control reaches ``target`` (a pc) after the instruction at ``depth``: continue
        with the paths of ``group`` going there, close the loop, or leave."""
        region = self.region
        if group:
            if depth + 1 == len(group[0]):                  # these paths end: back edge
                self.back_edge(indent, depth + 1, node)
            else:
                self.paths(group, depth + 1, indent)
            return
        self.exit(indent, target, depth + 1, node, side=region.loops or depth + 1 <
                  self.longest)

    def paths(self, group, depth, indent):
        """Emit the instruction all paths of ``group`` have at ``depth``, then what
        follows on each of them."""
        region, instr = self.region, group[0][depth]
        node = len(region.nodes)
        region.nodes.append((instr.pc, depth, self.mem_after))
        self.mem_after += instr.spec.fmt in ('LOAD', 'S')
        self.emit(indent, f'# {instr.pc:08x}: {disassemble(instr.word, instr.pc)}', node)
        lines, jump = self.instr.statements(instr)
        for line in lines:
            self.emit(indent, line, node)
        following: dict = {}
        for path in group:
            nxt = path[depth + 1].pc if depth + 1 < len(path) else (
                region.head if region.loops else None)
            following.setdefault(nxt, []).append(path)
        fallthrough = (instr.pc + 4) & MASK32
        if jump is None or jump[0] == 'static':
            target = fallthrough if jump is None else jump[1]
            self.go(indent, target, following.get(target, []), depth, node)
        elif jump[0] == 'branch':
            self._branch(indent, jump[1], jump[2], fallthrough, following, depth, node)
        else:
            for target, paths in following.items():
                if target is not None:
                    self.emit(indent, f'if _npc == {target:#x}:', node)
                    self._fork(indent + 1, target, paths, depth, node)
            self.exit(indent, None, depth + 1, node, side=bool(following) and
                      None not in following)

    def _fork(self, indent, target, group, depth, node):
        """Emit one arm with its own copy of the masking state."""
        saved = (set(self.instr.inexact), set(self.instr.linear), self.instr.offset,
                 self.mem_after)
        self.go(indent, target, group, depth, node)
        self.instr.inexact, self.instr.linear, self.instr.offset, self.mem_after = saved

    def _branch(self, indent, test, taken, fallthrough, following, depth, node):
        on_taken, on_fall = following.get(taken, []), following.get(fallthrough, [])
        if on_taken and not on_fall:
            self.emit(indent, f'if not ({test}):', node)
            self.exit(indent + 1, fallthrough, depth + 1, node, side=True)
            self.go(indent, taken, on_taken, depth, node)
            return
        self.emit(indent, f'if {test}:', node)
        self._fork(indent + 1, taken, on_taken, depth, node)
        self.go(indent, fallthrough, on_fall, depth, node)

    def translate(self) -> Region:
        region = self.region
        region.iteration_memops = self.main_memops
        self.paths(list(region.paths), 0, 3)
        region.unit = len(region.path)
        self._assemble()
        return region

    def _assemble(self):
        region = self.region
        regs = sorted(self.instr.touched, key=lambda n: int(n[1:]))
        written = sorted(self.instr.written, key=lambda n: int(n[1:]))
        kind = f'{len(region.paths)} paths' if len(region.paths) > 1 else \
            f'{len(region.path)} guest instructions'
        head = [f'def {region.name}(R, k0):',
                f'    """{kind} from {region.head:#010x}'
                f'{" (a loop)" if region.loops else ""}."""']
        head += [f'    {r} = R[{r[1:]}]' for r in regs]
        head += ['    _npc = _xid = n = h = 0', '    try:', '        for k in range(k0, 0, -1):']
        text = list(head)
        for indent, line, node in self.body:
            text.append('    ' * indent + line)
            if node >= 0:
                region.lines[len(text)] = node          # 1-based line number
        writeback = [f'R[{r[1:]}] = {r} & {MASK32:#x}' for r in written]
        if region.loops:                     # the budget ran out at the back edge
            region.exits.append((region.head, 0, 0, region.head, 0))
            text += ['        else:', '            k = 0',
                     f'            _xid = {len(region.exits) - 1}']
        text += ['    except Exception as _e:']
        text += [f'        {w}' for w in writeback]
        text += ['        return -1 - LINES[_e.__traceback__.tb_lineno], k, _e, n, h']
        text += [f'    {w}' for w in writeback]
        text += ['    return _xid, k, _npc, n, h']
        region.source = '\n'.join(text) + '\n'


def translate_path(name: str, path, loops: bool, paged: bool, more_paths=()) -> Region:
    """Generate the source of a Region for ``path`` (a sequence of GuestInstr), or for a
    tree of looping paths (``path`` and ``more_paths``, all starting at the same pc).

    A loop is translated until what it leaves unmasked at its back edges is what it
    assumed at its top (a small fixpoint: the assumed set only grows)."""
    assumed: frozenset = frozenset()
    while True:
        region = Region(name, tuple(path), loops, paged,
                        paths=(tuple(path), *(tuple(p) for p in more_paths)))
        translator = PathTranslator(region, assumed)
        translator.translate()
        if translator.carried <= assumed:
            return region
        assumed = assumed | translator.carried


def _ram_masks(size: int) -> dict:
    """RAMMASKn for the fast-path test: the largest power-of-two window of RAM."""
    window = 1 << (size.bit_length() - 1)
    return {f'RAMMASK{n}': str(-window | (n - 1)) for n in (4, 2, 1)}


def compile_region(region: Region, env: dict):
    """Compile the region's source into a function; ``env`` supplies CLOSURE_NAMES plus
    BASE and SIZE (RAM base and size, pasted in as constants)."""
    # the loop's assumptions are part of the code: a register the loop top treats as
    # inexact is masked before it is observed, so no extra state is needed here
    source = region.source.replace('BASE', str(env['BASE']))
    for name, value in _ram_masks(env['SIZE']).items():
        source = source.replace(name, value)
    params = ', '.join(CLOSURE_NAMES)
    indented = ''.join('    ' + line + '\n' for line in source.splitlines())
    factory = f'def _factory({params}):\n{indented}    return {region.name}\n'
    namespace: dict = {}
    exec(compile(factory, f'<dbt {region.name}>', 'exec'), namespace)  # noqa: S102
    lines = {line + 1: index for line, index in region.lines.items()}   # +1: factory line
    closure = dict(env, LINES=lines)
    return namespace['_factory'](*(closure[name] for name in CLOSURE_NAMES))


__all__ = ['CLOSURE_NAMES', 'Region', 'UNSIGNED_RESULT_CALLS', 'compile_region',
           'translate_path']
