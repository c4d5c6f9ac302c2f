"""Code generation: a path (or a tree of paths) of guest instructions -> one Python function.

Each instruction is rewritten from the ISA table by vlab/isa/dbt/rewrite.py; this module
lays the instructions out along the path and gives the function its control flow:

* registers used by the region are Python *locals*, loaded from the hart's register list
  on entry and written back (masked) on every way out;
* a branch whose direction the path continues in becomes a guard; its other direction is
  a *side exit*;
* when the path's last instruction leads back to its first, the path is a loop inside one
  Python ``for`` loop over ``_it = REPEAT(None, k0)``, the iterations the caller's budget
  allows (``itertools.repeat``: unlike ``range`` it makes no int object per iteration;
  ``LEFT(_it)``, ``operator.length_hint``, tells how many have not begun);
* a *tree* (several looping paths from one head, vlab/isa/dbt/traces.py) nests the paths
  at the branches where they part; the ``for`` loop counts iterations of the first path,
  and a back edge on another path adds the difference of lengths to ``n`` (and of memory
  accesses to ``h``, for the TLB-hit ledger under Sv32).

Example (the inner loop of ``for w in data: sum += w; w ^= 0x55``; t0 is only a
pointer, so ``x5`` holds ``t0 - BASE``: vlab/isa/dbt/rebase.py)::

    x5 = R[5] - BASE
    _it = REPEAT(None, k0)
    for _ in _it:
        # 8000001c: lw t4,0(t0)
        x29 = ((_o := POISON) and _load_4u(x5 + BASE)) if (_o := x5) & RAMMASK4 \
            else W[_o >> 2]
        x7 = x7 + x29                                  # add t2,t2,t4: masked lazily
        x29 = x29 ^ 85
        if WATCH[_o >> 12]:                            # sw t4,0(t0): lw checked _o
            _store_4(x5 + BASE, x29)
            _o = POISON
        else:
            W[_o >> 2] = x29
        x5 = x5 + 4
        x6 = x6 + -1
        if x6 & 0xffffffff:                            # bnez t1: back edge
            continue
        _xid = 0                                       # loop exit
        break

Precise state.  No bookkeeping runs on the fast path, and the function has no exception
handler (a ``try`` would make ``compile`` twice as slow): each instruction occupies its own
source lines, so when an instruction raises (a guest trap, the port asking for the exact
path, self-modifying code) the dispatcher finds the function's frame in the traceback
(``unwind``), whose *line number* names the node and whose register locals hold exactly
the values before that instruction (the semantics check before they write); it writes
them back and continues with ``(-1 - node, k, exception, n, h)`` (in a loop ``k`` is
``LEFT(_it) + 1``: the iteration that raised had begun);
``Region.nodes[node]`` is ``(pc, position on its path, memory accesses before it)``.
A normal exit returns ``(exit id, k, dynamic target, n, h)``, ``k`` the iterations left
counting the one that exited; ``Region.exits[exit id]``
is ``(target pc or None, position, side exit?, pc of the exiting instruction, memory
accesses this iteration)``.  Instructions retired:
``(k0 - k) * Region.unit + n + position``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from operator import length_hint

from vlab.isa.dbt.memory import ram_masks
from vlab.isa.dbt.rebase import address_registers, misused
from vlab.isa.dbt.rewrite import LOAD_CALLS, STORE_CALLS, InstructionTranslator
from vlab.isa.disasm import disassemble
from vlab.isa.semantics import MASK32

GLOBAL_NAMES = ('W', 'H', 'B', 'WATCH', 'RGET', 'WGET', '_misfetch', 'tdiv', 'trem',
                'REPEAT', 'LEFT',
                *sorted(LOAD_CALLS), *sorted(STORE_CALLS))


@lru_cache(maxsize=1 << 16)
def _comment(word: int, pc: int) -> str:
    """The disassembly comment heading an instruction's lines (a trace re-translates the
    instructions of its blocks: memoized)."""
    return f'# {pc:08x}: {disassemble(word, pc)}'


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
    written: tuple = ()               # register numbers written back on the way out
    rebased: frozenset = frozenset()  # locals holding ``register - BASE`` (rebase.py)
    base: int = 0                     # BASE, set when compiled (unwinding adds it back)

    @property
    def head(self) -> int:
        return self.path[0].pc

    def __len__(self) -> int:
        return len(self.path)


# ------------------------------------------------------------------ a whole path
class PathTranslator:
    """Emits the function for a region: one path, or a *tree* of looping paths that
    share their start (see the module docstring for the protocol)."""

    def __init__(self, region: Region, inexact=frozenset()):
        self.region = region
        self.instr = InstructionTranslator(region.paged, inexact, region.rebased)
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
        self.emit(indent, _comment(instr.word, instr.pc), node)
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
        self.paths(list(region.paths), 0, 2)
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
        head += [f'    {r} = R[{r[1:]}]' + (' - BASE' if r in region.rebased else '')
                 for r in regs]
        head += ['    _npc = _xid = n = h = 0']
        if region.loops:      # no int object per iteration: LEFT(_it) = iterations not begun
            head += ['    _it = REPEAT(None, k0)', '    for _ in _it:']
        else:
            head += ['    for k in range(k0, 0, -1):']
        text = list(head)
        for indent, line, node in self.body:
            text.append('    ' * indent + line)
            if node >= 0:
                region.lines[len(text)] = node          # 1-based line number
        if region.loops:                     # the budget ran out at the back edge
            region.exits.append((region.head, 0, 0, region.head, 0))
            budget = len(region.exits) - 1
            text += ['    else:', f'        _xid = {budget}',
                     f'    k = LEFT(_it) + (_xid != {budget})']
        region.written = tuple((int(r[1:]), r) for r in written)
        text += [f'    R[{r[1:]}] = ({r} + BASE) & {MASK32:#x}' if r in region.rebased
                 else f'    R[{r[1:]}] = {r} & {MASK32:#x}' for r in written]
        text += ['    return _xid, k, _npc, n, h']
        region.source = '\n'.join(text) + '\n'


def translate_path(name: str, path, loops: bool, paged: bool, more_paths=()) -> Region:
    """Generate the source of a Region for ``path`` (a sequence of GuestInstr), or for a
    tree of looping paths (``path`` and ``more_paths``, all starting at the same pc).

    A loop is translated until what it leaves unmasked at its back edges is what it
    assumed at its top (a small fixpoint: the assumed set only grows).  A loop in Bare
    mode keeps its pointer registers relative to RAM's base (vlab/isa/dbt/rebase.py);
    should the generated code use one otherwise, it is translated again without."""
    paths = (tuple(path), *(tuple(p) for p in more_paths))
    rebased = address_registers(paths) if loops and not paged else frozenset()
    assumed: frozenset = frozenset()
    while True:
        region = Region(name, tuple(path), loops, paged, paths=paths, rebased=rebased)
        translator = PathTranslator(region, assumed)
        translator.translate()
        if rebased and misused((line for _, line, _ in translator.body), rebased):
            rebased, assumed = frozenset(), frozenset()
            continue
        if translator.carried <= assumed:
            return region
        assumed = assumed | translator.carried


def compile_region(region: Region, env: dict):
    """Compile the region's source into a function whose globals are ``env``
    (GLOBAL_NAMES; BASE, SIZE and the RAM masks are pasted in as constants).  The source
    is compiled as it is, so traceback line numbers are ``region.lines``' keys."""
    source = region.source.replace('BASE', str(env['BASE']))
    for name, value in ram_masks(env['SIZE']).items():
        source = source.replace(name, value)
    region.base = env['BASE']
    namespace: dict = {}
    exec(compile(source, f'<dbt {region.name}>', 'exec'), env, namespace)
    return namespace[region.name]


def unwind(region: Region, fn, exc: BaseException, regs: list):
    """An instruction of ``fn`` raised ``exc``: recover the precise state from the
    function's frame (its register locals hold the values before that instruction, since
    the semantics check before they write), write the registers back and return the
    protocol's tuple ``(-1 - node, k, exc, n, h)``.  The generated code carries no
    exception handler: the frame in the traceback *is* the state (None: ``exc`` was not
    raised inside ``fn``)."""
    code, tb = fn.__code__, exc.__traceback__
    while tb is not None and tb.tb_frame.f_code is not code:
        tb = tb.tb_next
    if tb is None:
        return None
    local = tb.tb_frame.f_locals
    for number, name in region.written:
        regs[number] = (local[name] + (region.base if name in region.rebased else 0)) & MASK32
    k = length_hint(local['_it']) + 1 if region.loops else local['k']
    return -1 - region.lines[tb.tb_lineno], k, exc, local['n'], local['h']


__all__ = ['GLOBAL_NAMES', 'Region', 'compile_region', 'translate_path', 'unwind']
