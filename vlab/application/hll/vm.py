"""The facade: one object that is a whole HLL virtual machine.

``VM(class_path, heap_limit, jit, policy, host, max_instructions)`` builds the bootstrap
and application class loaders, the heap and its collector, the runtime, the interpreter
and the JIT; :meth:`VM.run` loads the main (module) class and initializes it, which runs
the program.  Two VMs share nothing: the same class file can run in two differently
configured VMs side by side (heap size, policy, JIT on or off).

Results come back as a :class:`RunResult` whose ``exit_code`` is the CLI's: 0 normal end,
1 uncaught guest exception (``traceback`` holds the guest stack trace), 2 class rejected
by the loader or verifier, 3 instruction budget exhausted.

What a chapter can look at: :meth:`VM.trace` (every instruction with the operand stack
and locals), :meth:`VM.stats`, ``vm.collector.stats.timeline`` (one record per
collection: when, heap before/after, reclaimed, live, modeled pause), ``vm.jit.compiled``
(generated Python per hot method) and ``vm.jit.bailouts``, ``Method.calls`` (hotness),
``vm.rt.tracer`` (a callback ``(frame, instr)`` before every interpreted instruction).
A VM runs its program once: the main module is initialized by the first :meth:`run`.

Limits (each bounds a real resource, issue 16): ``heap_limit`` (bytes of lists, dicts,
objects *and strings*, at least ``heap.MIN_LIMIT``), ``max_instructions`` (bytecodes, plus
the work of comparisons, searches, copies and collections by its size: ``work.py``),
``max_depth`` (guest call depth), ``max_output`` (console characters) and ``max_write``
(bytes written to files per run, each write at least one 4 KiB block).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from . import classfile
from .compiler import compile_source
from .errors import BudgetExhausted, GuestThrow, HLLError, RejectedClass
from .gc import MarkSweep
from .generational import Generational
from .heap import Heap
from .host import MemoryHost
from .interpreter import Interpreter
from .jit import JIT
from .loader import ClassLoader, MemoryEntry, bootstrap_loader
from .policy import Policy
from .runtime import CONVERTIBLE, Runtime

EXIT_CODES = {"ok": 0, "exception": 1, "rejected": 2, "budget": 3, "internal": 4}


@dataclass
class Step:
    """One instruction about to execute, as a stepping view draws it."""
    method: str
    offset: int
    line: int
    instruction: str
    stack: list[str]  # operand stack before the instruction, bottom first (reprs)
    locals: list[str]
    depth: int  # interpreter frames on the call stack


@dataclass
class RunResult:
    status: str  # ok | exception | rejected | budget | internal
    message: str = ""
    traceback: str = ""
    output: str = ""
    stats: dict = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]


class VM:
    def __init__(self, class_path=None, heap_limit: int = 16 * 2**20, jit: bool = True,
                 policy: Policy | None = None, host=None, max_instructions: int = 10**8,
                 jit_threshold: int = 2, max_depth: int = 1000, max_output: int = 64 * 2**20,
                 ledger=None, collector: str = "mark-sweep", nursery: int = 64 * 1024,
                 max_write: int = 64 * 2**20):
        self.bootstrap = bootstrap_loader()
        self.loader = ClassLoader("application", class_path, parent=self.bootstrap)
        self.heap = Heap(heap_limit)
        self.host = host if host is not None else MemoryHost()
        self.policy = policy if policy is not None else Policy()
        self.rt = Runtime(self.heap, None, self.loader, self.host, self.policy,
                          max_instructions, max_output, max_write)
        costs = ledger.costs if ledger is not None else None  # GC pauses priced alike
        if collector == "generational":
            self.collector = Generational(self.global_roots, lambda: self.rt.icount, nursery,
                                          costs)
        elif collector == "mark-sweep":
            self.collector = MarkSweep(self.global_roots, lambda: self.rt.icount, costs)
        else:
            raise ValueError(f"unknown collector {collector!r}: mark-sweep or generational")
        self.heap.collector = self.rt.collector = self.collector
        self.collector.charge = self.rt.charge_collection
        self.interpreter = Interpreter(self.rt, max_depth, jit_threshold if jit else 0)
        self.rt.interpreter = self.interpreter
        self.jit = JIT(self.rt) if jit else None
        self.rt.jit = self.jit
        self.max_depth = max_depth
        self.ledger = ledger  # a vlab.host.ledger.Ledger charged at the end of each run

    @classmethod
    def from_source(cls, source: str, filename: str = "main.py", **options) -> VM:
        """Compile ``source`` into an in-memory class path and build a VM over it."""
        classes = compile_source(source, filename)
        vm = cls(MemoryEntry({c.name: classfile.write(c) for c in classes}), **options)
        vm.main_class = classes[0].name
        return vm

    main_class: str | None = None

    def global_roots(self):
        for loader in (self.bootstrap, self.loader):
            for cls in loader.classes.values():
                yield from cls.statics.values()
        yield getattr(self.rt, "oom", None)

    def load(self, name: str):
        return self.loader.load(name)

    # ------------------------------------------------------------ running

    def run(self, main: str | None = None) -> RunResult:
        main = main or self.main_class
        old_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old_limit, _depth() + 6 * self.max_depth + 2000))
        try:
            result = self._run(main)
        finally:
            sys.setrecursionlimit(old_limit)
        if isinstance(self.host, MemoryHost):
            result.output = self.host.output()
        result.stats = self.stats()
        if self.ledger is not None:
            from .costs import charge
            charge(self.ledger, self.event_counts())
        return result

    def event_counts(self) -> dict[str, int]:
        """This VM's work as ledger events (see ``costs.py``)."""
        rt, gc = self.rt, self.collector.stats
        compiled = self.jit.compiled.values() if self.jit else ()
        return {"hll_interpret": rt.interpreted + rt.charged,
                "hll_compiled": rt.icount - rt.interpreted - rt.charged - rt.gc_charged,
                "hll_jit_compile": sum(len(c.method.instrs) for c in compiled),
                "gc_collection": gc.collections, "gc_mark": gc.objects_marked,
                "gc_sweep": gc.objects_swept}

    def _run(self, main: str) -> RunResult:
        try:
            cls = self.loader.load(main)
            if not cls.cf.is_module:
                return RunResult("rejected", f"class {main} is not a module (no top-level code)")
            self.rt.prepare()
            self.rt.initialize(cls)
            return RunResult("ok")
        except GuestThrow as thrown:
            return self.uncaught(thrown)
        except RejectedClass as exc:
            return RunResult("rejected", str(exc))
        except BudgetExhausted as exc:
            return RunResult("budget", str(exc))
        except CONVERTIBLE as exc:
            return self.uncaught(self.rt.convert(exc))
        except HLLError as exc:
            return RunResult("internal", str(exc))
        except Exception as exc:  # the VM must never crash its host
            return RunResult("internal", f"internal VM error: {type(exc).__name__}: {exc}")

    def uncaught(self, thrown: GuestThrow) -> RunResult:
        exc = thrown.obj
        name = exc._vm_cls.name
        try:
            text = self.rt.to_str(exc)
        except Exception:  # a broken __str__ must not hide the exception
            text = "<exception str() failed>"
        last = f"{name}: {text}" if text else name
        return RunResult("exception", last, format_trace(exc) + last + "\n")

    def trace(self, main: str | None = None, max_steps: int = 1000):
        """Run interpreted with a tracer; return ``(RunResult, [Step, ...])``.

        The first ``max_steps`` instructions are recorded with the operand stack and the
        locals they see; the JIT is off while tracing so every frame is visible.
        """
        from .javap import operand

        steps: list[Step] = []

        def tracer(frame, instr):
            if len(steps) >= max_steps:
                return
            cf = frame.method.owner.cf
            text = " ".join([instr.op.name] + [operand(cf, k, v) for k, v in zip(
                instr.op.operands, instr.args, strict=True)])
            steps.append(Step(frame.method.qualname, instr.offset,
                              frame.method.info.line_at(instr.offset), text,
                              [_short(v) for v in frame.stack],
                              [_short(v) for v in frame.locals], len(self.rt.frames)))

        saved = self.interpreter.jit_threshold
        self.interpreter.jit_threshold, self.rt.tracer = 0, tracer
        try:
            result = self.run(main)
        finally:
            self.interpreter.jit_threshold, self.rt.tracer = saved, None
        return result, steps

    def stats(self) -> dict:
        gc = self.collector.stats
        return {
            "instructions": self.rt.icount,
            "interpreted_instructions": self.rt.interpreted,
            "compiled_instructions": (self.rt.icount - self.rt.interpreted - self.rt.charged
                                      - self.rt.gc_charged),
            "gc_charged_instructions": self.rt.gc_charged,
            "heap_limit": self.heap.limit, "heap_used": self.heap.used,
            "heap_peak": self.heap.stats.peak_used,
            "allocations": self.heap.stats.allocations,
            "bytes_allocated": self.heap.stats.bytes_allocated,
            "gc_collections": gc.collections, "gc_objects_reclaimed": gc.objects_reclaimed,
            "gc_bytes_reclaimed": gc.bytes_reclaimed, "gc_live_objects": gc.live_objects,
            "gc_live_bytes": gc.live_bytes, "gc_pause_cycles": gc.pause_cycles,
            "gc_minor_collections": getattr(self.collector, "minor_collections", 0),
            "gc_major_collections": getattr(self.collector, "major_collections", 0),
            "jit_compiled": len(self.jit.compiled) if self.jit else 0,
            "jit_bailouts": len(self.jit.bailouts) if self.jit else 0,
            "jit_osr_entries": len(self.jit.osr_entries) if self.jit else 0,
            "jit_deopts": len(self.jit.deopts) if self.jit else 0,
        }


def format_trace(exc) -> str:
    """The guest stack trace, outermost call first, in CPython's format (a frame repeated
    more than three times in a row is summarized, as CPython does)."""
    entries = list(reversed(exc.__dict__.get("__trace__", [])))
    lines, i = ["Traceback (most recent call last):"], 0
    while i < len(entries):
        run = 1
        while i + run < len(entries) and entries[i + run] == entries[i]:
            run += 1
        lines += _frame_lines(*entries[i]) * min(run, 3)
        if run > 3:
            lines.append(f"  [Previous line repeated {run - 3} more times]")
        i += run
    return "\n".join(lines) + "\n"


def _frame_lines(method, line: int) -> list[str]:
    cf = method.owner.cf
    out = [f'  File "{cf.source_file}", line {line}, in {method.name}']
    source = cf.source_text.splitlines()
    if 0 < line <= len(source):
        out.append("    " + source[line - 1].strip())
    return out


def _short(value) -> str:
    try:
        text = repr(value)
    except Exception:  # a view must not fail on odd values
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 40 else text[:37] + "..."


def _depth() -> int:
    frame, n = sys._getframe(), 0
    while frame is not None:
        frame, n = frame.f_back, n + 1
    return n
