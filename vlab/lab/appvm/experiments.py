"""Chapter 9's experiments: the HLL VM and application virtualization.

Each experiment is a model function (returns data, deterministic), a plot
function and a describe function, wired by :class:`vlab.lab.experiment.Experiment`:

- :func:`stepper`: step a compiled program and watch its operand stack;
- :func:`tamper_explorer`: change bytes of a class file and let the verifier judge;
- :func:`gc_explorer`: heap occupancy and collections over a run, per heap limit;
- :func:`jit_explorer`: modeled JIT speedup as a method gets hotter;
- :func:`two_vms_explorer`: one class file, two differently configured VMs;
- :func:`sandbox_explorer`: where a sandboxed application's files live (layers);
- :func:`streaming_explorer`: which package blocks a launch fetched, and when.

The models drive :mod:`vlab.application.hll` (compiler, loader, verifier,
interpreter, GC, JIT) and :mod:`vlab.application.sandbox`; nothing here
measures wall-clock time.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import vlab.application.hll.costs  # noqa: F401 - registers the HLL VM's ledger events
from vlab.application.hll import classfile, opcodes
from vlab.application.hll.compiler import compile_source
from vlab.application.hll.loader import MemoryEntry
from vlab.application.hll.policy import Policy
from vlab.application.hll.vm import VM, RunResult, Step
from vlab.application.sandbox.hll_app import package_program, run_app
from vlab.application.sandbox.network import NETWORKS
from vlab.application.sandbox.workstation import Workstation
from vlab.host.costs import CostModel
from vlab.host.ledger import Ledger
from vlab.lab.experiment import Experiment, checkbox, dropdown, int_slider, toggle
from vlab.lab.style import HIGHLIGHT, INK, LEVEL_COLORS, ROLE_COLORS, new_figure, styled

APP_COLOR = LEVEL_COLORS["application"]
REJECT_COLOR = LEVEL_COLORS["hardware"]
OK_COLOR = LEVEL_COLORS["os"]

# ======================================================================== programs

SQUARES = """\
def square(n):
    return n * n

total = 0
for i in range(3):
    total = total + square(i)
print(total)
"""

GARBAGE = """\
class Node:
    def __init__(self, value, next):
        self.value = value
        self.next = next

def chain(n):
    head = None
    for i in range(n):
        head = Node(i, head)
    return head

kept = []
for round in range(40):
    garbage = chain(50)
    if round % 10 == 0:
        kept.append(garbage)
print(len(kept), "chains kept")
"""

HOT = """\
def work(k):
    s = 0
    for i in range(20):
        s = s + i * k
    return s

total = 0
for n in range({calls}):
    total = total + work(n)
print(total)
"""

REPORT = """\
rows = []
for i in range(1000):
    rows.append("row " + str(i))
print(len(rows), "rows built")
try:
    write_text("/out/report.txt", "\\n".join(rows))
    print("report written")
except PermissionError as e:
    print("PermissionError:", e)
"""


def _short_repr(text: str) -> str:
    """Drop host addresses from a value's repr (``<x object at 0x7f...>`` -> ``<x>``)."""
    return re.sub(r"<([\w.]+) object at 0x[0-9a-fA-F.]*>?", r"<\1>", text)


# ======================================================================== 1. stepping


@dataclass(frozen=True)
class StepView:
    """One instruction of a traced run, with the source it came from."""

    index: int
    total: int
    step: Step
    source: list[str]
    output: str


@lru_cache(maxsize=4)
def trace_program(source: str = SQUARES, max_steps: int = 400) -> tuple[RunResult, tuple]:
    """Compile and run ``source`` interpreted, recording every instruction."""
    result, steps = VM.from_source(source, "squares.py").trace(max_steps=max_steps)
    return result, tuple(steps)


def step_view(step: int = 0, source: str = SQUARES) -> StepView:
    """Model: the ``step``-th instruction of the traced program (clamped to the run)."""
    result, steps = trace_program(source)
    index = max(0, min(step, len(steps) - 1))
    return StepView(index, len(steps), steps[index], source.splitlines(), result.output)


@styled
def plot_step(view: StepView) -> Figure:
    """Plot: the source with the current line marked, and the operand stack as boxes."""
    fig, (code_ax, stack_ax) = new_figure("wide", ncols=2, width_ratios=[3, 2])
    step = view.step
    for number, line in enumerate(view.source, start=1):
        y = len(view.source) - number
        if number == step.line:
            code_ax.add_patch(Rectangle((0, y - 0.4), 1, 0.8, color=HIGHLIGHT, alpha=0.35))
        code_ax.text(0.02, y, f"{number:2}  {line}", family="monospace", va="center", fontsize=9)
    code_ax.text(0.02, -1.4, f"{step.method} @{step.offset}: {step.instruction}",
                 family="monospace", fontsize=9, color=REJECT_COLOR, va="center")
    code_ax.set_xlim(0, 1)
    code_ax.set_ylim(-2, len(view.source))
    code_ax.axis("off")
    code_ax.set_title(f"Step {view.index} of {view.total - 1}: line {step.line}")
    _draw_stack(stack_ax, [_short_repr(v) for v in step.stack])
    stack_ax.set_title(f"Operand stack (depth {len(step.stack)}), frames: {step.depth}")
    return fig


def _draw_stack(ax, values: list[str], capacity: int = 5) -> None:
    for slot, value in enumerate(values):
        ax.add_patch(Rectangle((0.2, slot), 0.6, 0.9, facecolor=APP_COLOR, edgecolor=INK))
        ax.text(0.5, slot + 0.45, value, ha="center", va="center", family="monospace")
    if not values:
        ax.text(0.5, 0.45, "(empty)", ha="center", va="center", color="grey")
    ax.annotate("top", xy=(0.82, max(len(values), 1) - 0.55), fontsize=8, color="grey")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.2, max(capacity, len(values) + 1))
    ax.axis("off")


def describe_step(view: StepView) -> str:
    step = view.step
    stack = ", ".join(_short_repr(v) for v in step.stack) or "nothing"
    return (f"About to execute {step.instruction} in {step.method} (source line {step.line}); "
            f"the operand stack holds {stack} (bottom first). The program prints "
            f"{view.output.strip()!r} after {view.total} instructions.")


def busiest_step(source: str = SQUARES) -> int:
    """The index of the last MUL in the trace: a step with two operands on the stack."""
    steps = trace_program(source)[1]
    return max(i for i, s in enumerate(steps) if s.instruction.startswith("MUL"))


def stepper(step: int | None = None) -> Experiment:
    """Widget: a slider over every instruction of the traced squares program."""
    total = len(trace_program()[1])
    step = busiest_step() if step is None else step
    return Experiment(step_view, plot_step, {"step": int_slider("Step", 0, total - 1, step)},
                      describe=describe_step)


# ======================================================================== 2. tampering


def _code_of(data: bytes, method: str) -> tuple[classfile.ClassFile, classfile.MethodInfo]:
    cf = classfile.read(data)
    return cf, next(m for m in cf.methods if m.name == method)


def _patch_code(data: bytes, patch: Callable[[bytearray], None], max_stack: int | None = None,
                method: str = "square") -> bytes:
    cf, info = _code_of(data, method)
    code = bytearray(info.code)
    patch(code)
    info.code = bytes(code)
    if max_stack is not None:
        info.max_stack = max_stack
    return classfile.write(cf)


def _first_kind(data: bytes, kind: str) -> int:
    pool = classfile.read(data).pool
    return next(i for i, entry in enumerate(pool.entries) if entry and entry.kind == kind)


def _put(offset: int, raw: bytes) -> Callable[[bytearray], None]:
    def patch(code: bytearray) -> None:
        code[offset:offset + len(raw)] = raw
    return patch


NOP = bytes([opcodes.BY_NAME["NOP"].code])

#: name -> (what the change does, how to apply it to the class file's bytes).
#: Code changes hit ``square``, whose code is LOAD_LOCAL 0; LOAD_LOCAL 0; MUL; RETURN; ...
TAMPERINGS: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "none": ("the class file as compiled", lambda d: d),
    "stack underflow": ("the first LOAD_LOCAL becomes three NOPs, so MUL finds one operand",
                        lambda d: _patch_code(d, _put(0, NOP * 3))),
    "max_stack too small": ("max_stack of square set to 1 although it needs 2",
                            lambda d: _patch_code(d, lambda c: None, max_stack=1)),
    "undefined local": ("LOAD_LOCAL 0 becomes LOAD_LOCAL 9; square has 1 local",
                        lambda d: _patch_code(d, _put(1, (9).to_bytes(2, "big")))),
    "jump into an instruction": ("the first instruction becomes JUMP 1, inside itself",
                                 lambda d: _patch_code(d, _put(0, opcodes.encode("JUMP", 1)))),
    "wrong constant kind": ("LOAD_LOCAL 0 becomes LOAD_CONST of a CLASS entry",
                            lambda d: _patch_code(d, _put(3, opcodes.encode(
                                "LOAD_CONST", _first_kind(d, "CLASS"))))),
    "unknown opcode": ("MUL (opcode 10) becomes byte 238, which is no instruction",
                       lambda d: _patch_code(d, _put(6, bytes([238])))),
    "falls off the end": ("both RETURNs become NOPs: control runs past the last byte",
                          lambda d: _patch_code(d, lambda c: (_put(7, NOP)(c), _put(11, NOP)(c)))),
    "bad magic": ("the first four bytes VLCF become JAVA", lambda d: b"JAVA" + d[4:]),
    "truncated file": ("the file is cut after 40 bytes", lambda d: d[:40]),
}


@dataclass(frozen=True)
class TamperView:
    """A tampering, the bytes it changed, and what the loader/verifier said."""

    name: str
    description: str
    original: bytes
    tampered: bytes
    result: RunResult


@lru_cache(maxsize=1)
def _squares_classes() -> dict[str, bytes]:
    return {c.name: classfile.write(c) for c in compile_source(SQUARES, "squares.py")}


def tamper_view(tampering: str = "stack underflow") -> TamperView:
    """Model: apply one tampering to ``squares.vlc`` and run it on a fresh VM."""
    if tampering not in TAMPERINGS:
        raise ValueError(f"unknown tampering {tampering!r}; choose one of {list(TAMPERINGS)}")
    description, apply = TAMPERINGS[tampering]
    original = _squares_classes()["squares"]
    tampered = apply(original)
    result = VM(MemoryEntry({**_squares_classes(), "squares": tampered})).run("squares")
    return TamperView(tampering, description, original, tampered, result)


def changed_offsets(view: TamperView) -> list[int]:
    """File offsets where the tampered bytes differ (or are missing)."""
    longest = max(len(view.original), len(view.tampered))
    return [i for i in range(longest)
            if i >= len(view.tampered) or i >= len(view.original)
            or view.original[i] != view.tampered[i]]


@styled
def plot_tamper(view: TamperView, columns: int = 24, rows: int = 6) -> Figure:
    """Plot: the class file's bytes around the first change, changed bytes in red."""
    fig, ax = new_figure("wide")
    changed = set(changed_offsets(view))
    first = min(changed) if changed else 0
    start = max(0, (first // columns - 1) * columns)
    for offset in range(start, min(start + columns * rows, len(view.original))):
        row, column = divmod(offset - start, columns)
        value = view.tampered[offset] if offset < len(view.tampered) else None
        color = REJECT_COLOR if offset in changed else ROLE_COLORS["layer"]
        ax.add_patch(Rectangle((column, -row), 0.95, 0.9, facecolor=color, edgecolor="white"))
        ax.text(column + 0.47, -row + 0.45, "--" if value is None else f"{value:02x}",
                ha="center", va="center", family="monospace", fontsize=8)
        if column == 0:
            ax.text(-0.3, -row + 0.45, f"{offset:5d}", ha="right", va="center",
                    family="monospace", fontsize=8, color="grey")
    ax.set_xlim(-3, columns)
    ax.set_ylim(-rows + 0.8, 1.1)
    ax.axis("off")
    verdict = {"ok": "accepted and run", "rejected": "rejected"}.get(view.result.status,
                                                                      view.result.status)
    ax.set_title(f"squares.vlc ({len(view.original)} bytes), tampering '{view.name}': "
                 f"{verdict}; {len(changed)} byte(s) changed (red)")
    return fig


def describe_tamper(view: TamperView) -> str:
    result = view.result
    if result.status == "ok":
        outcome = f"the VM ran it and it printed {result.output.strip()!r}"
    else:
        outcome = f"the VM refused to run it: {result.message}"
    return f"Tampering '{view.name}' ({view.description}): {outcome}."


def tamper_explorer(tampering: str = "stack underflow") -> Experiment:
    control = dropdown("Tampering", list(TAMPERINGS), tampering)
    return Experiment(tamper_view, plot_tamper, {"tampering": control}, describe=describe_tamper)


# ======================================================================== 3. heap and GC


@dataclass(frozen=True)
class GCView:
    """Heap occupancy samples of one run and the collector's statistics."""

    heap_limit: int
    collector: str
    points: list[tuple[int, int]]  # (instructions, bytes used), straight lines between
    collections: list  # vlab.application.hll.gc.Collection
    result: RunResult


NURSERY_BYTES = 4000


def gc_view(heap_kb: int = 16, collector: str = "mark-sweep", source: str = GARBAGE) -> GCView:
    """Model: run ``source`` with a heap of ``heap_kb`` KB; sample the heap at each GC.

    ``collector`` is the VM's ``mark-sweep`` or ``generational`` (nursery of
    :data:`NURSERY_BYTES`).
    """
    vm = VM.from_source(source, "garbage.py", heap_limit=heap_kb * 1000, collector=collector,
                        nursery=NURSERY_BYTES)
    result = vm.run()
    points = [(0, 0)]
    timeline = list(vm.collector.stats.timeline)
    for collection in timeline:
        points += [(collection.instructions, collection.used_before),
                   (collection.instructions, collection.used_after)]
    points.append((result.stats["instructions"], result.stats["heap_used"]))
    return GCView(heap_kb * 1000, collector, points, timeline, result)


@styled
def plot_gc(view: GCView) -> Figure:
    """Plot: bytes in use against instructions run (a sawtooth), the limit dashed."""
    fig, ax = new_figure("wide")
    xs, ys = zip(*view.points, strict=True)
    ax.plot(xs, [y / 1000 for y in ys], color=APP_COLOR, lw=1.6, label="heap in use")
    for kind, color in (("full", INK), ("major", INK), ("minor", LEVEL_COLORS["isa"])):
        done = [c for c in view.collections if c.kind == kind]
        if done:
            ax.plot([c.instructions for c in done], [c.used_after / 1000 for c in done], "o",
                    color=color, ms=4, label=f"after a {kind} collection")
    ax.axhline(view.heap_limit / 1000, color=REJECT_COLOR, ls="--", lw=1, label="heap limit")
    ax.set_xlabel("guest instructions executed")
    ax.set_ylabel("heap in use (KB)")
    ax.set_ylim(0, view.heap_limit / 1000 * 1.15)
    ax.legend(loc="upper left", fontsize=8)
    status = "ran to the end" if view.result.status == "ok" else view.result.message
    ax.set_title(f"{view.collector}, heap of {view.heap_limit // 1000} KB: "
                 f"{len(view.collections)} collections; {status}")
    return fig


def describe_gc(view: GCView) -> str:
    stats = view.result.stats
    ending = (f"printed {view.result.output.strip()!r}" if view.result.status == "ok"
              else f"stopped with {view.result.message}")
    return (f"With a {view.heap_limit // 1000} KB heap the {view.collector} collector ran "
            f"{stats['gc_collections']} times, reclaimed {stats['gc_objects_reclaimed']} "
            f"objects ({stats['gc_bytes_reclaimed']} bytes) and paused for "
            f"{stats['gc_pause_cycles']} modeled cycles in all; the program {ending}.")


def gc_explorer(heap_kb: int = 16, collector: str = "mark-sweep") -> Experiment:
    controls = {"heap_kb": int_slider("Heap (KB)", 8, 64, heap_kb, step=4),
                "collector": toggle("Collector", ["mark-sweep", "generational"], collector)}
    return Experiment(gc_view, plot_gc, controls, describe=describe_gc)


# ======================================================================== 4. JIT


#: The run is priced on the shared ledger with the HLL VM's own events
#: (vlab.application.hll.costs): ``hll_interpret`` and ``hll_compiled`` per bytecode, after
#: DIGITAL FX!32 (about 45 host instructions per guest instruction interpreted, 4.4
#: translated; Chernoff et al., IEEE Micro 1998), and ``hll_jit_compile`` per bytecode compiled.
CALL_COUNTS = (1, 2, 4, 8, 16, 32, 64, 128)


@dataclass(frozen=True)
class HotnessPoint:
    calls: int
    interpreted: int  # guest instructions run by the interpreter
    compiled: int  # guest instructions run by JIT-compiled code
    bytecodes_compiled: int
    cycles_interpreter_only: float
    cycles_with_jit: float

    @property
    def speedup(self) -> float:
        return self.cycles_interpreter_only / self.cycles_with_jit


def jit_ceiling() -> float:
    """The speedup if every instruction ran compiled and compiling were free."""
    costs = CostModel.default()
    return costs.cycles_of("hll_interpret") / costs.cycles_of("hll_compiled")


def priced_run(source: str, **options) -> tuple[VM, Ledger]:
    """Run ``source`` on a VM that charges its work to a fresh ledger."""
    ledger = Ledger(CostModel.default())
    vm = VM.from_source(source, "hot.py", ledger=ledger, **options)
    vm.run()
    return vm, ledger


def hotness_point(calls: int, threshold: int) -> HotnessPoint:
    """Run HOT with ``calls`` calls to ``work``, interpreted only and with the JIT."""
    source = HOT.format(calls=calls)
    _, interpreted_only = priced_run(source, jit=False)
    vm, with_jit = priced_run(source, jit_threshold=threshold)
    counts = vm.event_counts()
    return HotnessPoint(calls, counts["hll_interpret"], counts["hll_compiled"],
                        counts["hll_jit_compile"], interpreted_only.total_cycles,
                        with_jit.total_cycles)


def jit_view(threshold: int = 2) -> list[HotnessPoint]:
    """Model: one point per call count in :data:`CALL_COUNTS`."""
    return [hotness_point(calls, threshold) for calls in CALL_COUNTS]


@styled
def plot_jit(points: list[HotnessPoint]) -> Figure:
    fig, (left, right) = new_figure("wide", ncols=2)
    calls = [p.calls for p in points]
    left.plot(calls, [p.speedup for p in points], "o-", color=APP_COLOR)
    left.axhline(1, color="grey", lw=0.8)
    left.axhline(jit_ceiling(), color="grey", ls=":", lw=0.8)
    left.set_xscale("log", base=2)
    left.set_xlabel("calls to work() (hotness)")
    left.set_ylabel("modeled speedup over the interpreter")
    left.set_title("JIT speedup as the method gets hot")
    labels = [str(c) for c in calls]
    totals = [p.interpreted + p.compiled for p in points]
    right.bar(labels, [p.interpreted / t for p, t in zip(points, totals, strict=True)],
              color=LEVEL_COLORS["isa"], label="interpreted")
    right.bar(labels, [p.compiled / t for p, t in zip(points, totals, strict=True)],
              bottom=[p.interpreted / t for p, t in zip(points, totals, strict=True)],
              color=APP_COLOR, label="compiled")
    right.set_xlabel("calls to work()")
    right.set_ylabel("share of guest instructions")
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2, fontsize=8)
    right.set_title("Who ran the instructions")
    return fig


def describe_jit(points: list[HotnessPoint]) -> str:
    first, last = points[0], points[-1]
    return (f"With 1 call everything is interpreted (speedup {first.speedup:.2f}x). With "
            f"{last.calls} calls {100 * last.compiled / (last.compiled + last.interpreted):.0f}%"
            f" of the instructions run compiled and the modeled speedup is "
            f"{last.speedup:.1f}x; the ceiling is {jit_ceiling():.1f}x (45 / 4.4 cycles).")


def jit_explorer(threshold: int = 2) -> Experiment:
    control = int_slider("JIT threshold (calls)", 1, 32, threshold)
    return Experiment(jit_view, plot_jit, {"threshold": control}, describe=describe_jit)


# ======================================================================== 5. two VMs


POLICIES = {
    "may write /out": Policy(read_paths=("/",), write_paths=("/out",)),
    "read-only": Policy(read_paths=("/",), write_paths=()),
}


@dataclass(frozen=True)
class TwoVMs:
    class_file_bytes: int
    runs: list[tuple[str, RunResult]]  # (configuration, result)


def two_vms(heap_kb_b: int = 32, policy_b: str = "read-only") -> TwoVMs:
    """Model: compile REPORT once; run the same bytes in VM A (roomy) and VM B."""
    classes = {c.name: classfile.write(c) for c in compile_source(REPORT, "report.py")}
    configs = [("VM A: 1000 KB heap, may write /out", 1000, "may write /out"),
               (f"VM B: {heap_kb_b} KB heap, {policy_b}", heap_kb_b, policy_b)]
    runs = []
    for label, heap_kb, policy in configs:
        vm = VM(MemoryEntry(dict(classes)), heap_limit=heap_kb * 1000, policy=POLICIES[policy])
        runs.append((label, vm.run("report")))
    return TwoVMs(len(classes["report"]), runs)


def _console_text(result: RunResult) -> str:
    lines = result.output.splitlines()
    if result.status != "ok":
        lines.append(f"[{result.status}] {result.message}")
    return "\n".join(textwrap.fill(line, 42) for line in lines)


@styled
def plot_two_vms(view: TwoVMs) -> Figure:
    fig, axes = new_figure("wide", ncols=2)
    for ax, (label, result) in zip(axes, view.runs, strict=True):
        ax.add_patch(Rectangle((0, 0), 1, 1, facecolor="#1E1E1E", transform=ax.transAxes))
        ax.text(0.04, 0.94, _console_text(result), family="monospace", fontsize=8.5,
                color="#E8E8E8", va="top", transform=ax.transAxes)
        ax.axis("off")
        ax.set_title(label)
    fig.suptitle(f"The same report.vlc ({view.class_file_bytes} bytes) in two VMs")
    return fig


def describe_two_vms(view: TwoVMs) -> str:
    parts = [f"{label}: {result.status}, heap peak {result.stats['heap_peak']} bytes, "
             f"{result.stats['gc_collections']} collections"
             for label, result in view.runs]
    return "; ".join(parts) + "."


def two_vms_explorer(heap_kb_b: int = 32, policy_b: str = "read-only") -> Experiment:
    controls = {"heap_kb_b": int_slider("VM B heap (KB)", 4, 64, heap_kb_b, step=4),
                "policy_b": toggle("VM B policy", list(POLICIES), policy_b)}
    return Experiment(two_vms, plot_two_vms, controls, describe=describe_two_vms)


# ======================================================================== 6. sandbox layers


HOST_FILES = {
    "/etc/motd": b"Welcome to ws-01.\n",
    "/home/student/notes.txt": b"buy milk\n",
    "/usr/lib/fonts.txt": b"DejaVu\n",
}

EDITOR = """\
try:
    notes = read_text("/home/student/notes.txt")
except FileNotFoundError as e:
    notes = ""
write_text("/home/student/notes.txt", notes + "and eggs\\n")
write_text("/apps/editor/settings.txt", "theme=dark\\n")
write_text("/etc/motd", "Edited by the editor.\\n")
print(read_text("/home/student/notes.txt"), end="")
"""

#: Files of the editor's package besides its class files.
EDITOR_FILES = {"help.txt": b"Press F1.\n", "/usr/lib/fonts.txt": b"EditorSans\n"}


@dataclass(frozen=True)
class LayerView:
    """Each layer's files after one run, and where each visible file comes from."""

    layers: dict[str, list[str]]
    visible: dict[str, str]  # path -> layer that answers
    whiteouts: list[str]
    output: str
    host_unchanged: bool


def sandbox_view(home: str = "writecopy") -> LayerView:
    """Model: launch the editor (``/home`` isolation ``home``), run it, inspect the layers."""
    ws = Workstation(HOST_FILES)
    before = ws.host.digest()
    package = package_program(EDITOR, "editor", files=EDITOR_FILES,
                              isolation={"/home": home} if home != "writecopy" else None)
    app = ws.launch(package)
    run = run_app(app)
    app.vfs.delete("/usr/lib/fonts.txt")  # what an uninstaller-happy app might do
    layers = {"sandbox": app.sandbox.paths(), "package": app.client.paths,
              "host": ws.host.paths()}
    visible = {path: app.vfs.layer_of(path) for path in app.vfs.visible_files()}
    return LayerView(layers, visible, sorted(app.sandbox.whiteouts), run.output,
                     ws.host.digest() == before)


@styled
def plot_package_layout(package) -> Figure:
    """Plot: a package's bytes left to right: header, index, then each file's blocks."""
    fig, ax = new_figure("wide")
    header, index = 24, package.metadata_size - 24
    segments = [(0, header, INK), (header, index, ROLE_COLORS["host_os"])]
    palette = [colormaps["tab10"](n) for n in range(10)]
    for number, path in enumerate(package.paths):
        for block in package.index.files[path].blocks:
            entry = package.index.blocks[block]
            segments.append((package.metadata_size + entry.offset, entry.length,
                             palette[number % len(palette)]))
    for start, length, color in segments:
        ax.add_patch(Rectangle((start, 0), length, 1, facecolor=color, edgecolor="white"))
    handles = [Rectangle((0, 0), 1, 1, color=INK), Rectangle((0, 0), 1, 1,
                                                             color=ROLE_COLORS["host_os"])]
    handles += [Rectangle((0, 0), 1, 1, color=palette[n % len(palette)])
                for n in range(len(package.paths))]
    names = ["header", "index"] + [p.removeprefix(package.manifest.root + "/")
                                   for p in package.paths]
    ax.legend(handles, names, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=4,
              fontsize=8)
    ax.set_xlim(0, package.size)
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    ax.set_xlabel("byte offset in the package")
    ax.set_title(f"{package.manifest.name}.vapp: {package.size} bytes, "
                 f"{package.header.block_count} blocks (white lines: block boundaries)")
    return fig


LAYER_COLORS = {"sandbox": APP_COLOR, "package": LEVEL_COLORS["library"],
                "host": ROLE_COLORS["host_os"]}


@styled
def plot_layers(view: LayerView) -> Figure:
    """Plot: one lane per layer plus the application's merged view on top."""
    fig, ax = new_figure("stacks")
    paths = sorted({p for files in view.layers.values() for p in files} | set(view.whiteouts))
    lanes = ["host", "package", "sandbox", "view"]
    for row, lane in enumerate(lanes):
        ax.text(-0.1, row + 0.4, lane if lane != "view" else "what the app sees",
                ha="right", va="center", fontsize=9, weight="bold")
        for column, path in enumerate(paths):
            _draw_file(ax, view, lane, row, column, path)
    for column, path in enumerate(paths):
        ax.text(column + 0.45, -0.25, path, rotation=35, ha="right", va="top", fontsize=7.5)
    ax.set_xlim(-2.2, len(paths))
    ax.set_ylim(-2.6, len(lanes))
    ax.axis("off")
    ax.set_title("Layered file system of the editor after one run (gold: a whiteout)")
    return fig


def _draw_file(ax, view: LayerView, lane: str, row: int, column: int, path: str) -> None:
    if lane == "view":
        layer = view.visible.get(path)
        if layer is not None:
            ax.add_patch(Rectangle((column, row), 0.9, 0.8, facecolor=LAYER_COLORS[layer],
                                   edgecolor=INK))
        return
    if lane == "sandbox" and path in view.whiteouts:
        ax.add_patch(Rectangle((column, row), 0.9, 0.8, facecolor="white", edgecolor=HIGHLIGHT,
                               hatch="xx", lw=1.5))
    elif path in view.layers[lane]:
        ax.add_patch(Rectangle((column, row), 0.9, 0.8, facecolor=LAYER_COLORS[lane],
                               edgecolor=INK))


def describe_layers(view: LayerView) -> str:
    return (f"The editor wrote {len(view.layers['sandbox'])} file(s), all into its sandbox; "
            f"it deleted {', '.join(view.whiteouts)} (a whiteout). The host layer is "
            f"{'unchanged' if view.host_unchanged else 'CHANGED'}. It printed "
            f"{view.output.strip()!r}.")


def sandbox_explorer(home: str = "writecopy") -> Experiment:
    control = toggle("Isolation of /home", ["writecopy", "full"], home)
    return Experiment(sandbox_view, plot_layers, {"home": control}, describe=describe_layers)


# ======================================================================== 7. streaming


VIEWER = """\
class Page:
    def __init__(self, text):
        self.text = text
    def title(self):
        return self.text.split("\\n")[0]

class Printer:
    def send(self, page):
        return "printing " + page.title()

class Exporter:
    def pdf(self, page):
        return "%PDF " + page.title()

page = Page(read_text("/apps/viewer/docs/intro.txt"))
print(page.title())
"""

VIEWER_FILES = {
    "docs/intro.txt": b"Welcome to the viewer\n" + b"." * 2000,
    "docs/manual.txt": b"Manual\n" + b"-" * 6000,
    "images/splash.raw": bytes(range(256)) * 16,
}


@dataclass(frozen=True)
class StreamView:
    """Which blocks of the package each request fetched, and the totals."""

    files: dict[str, list[int]]  # path -> its block numbers
    fetched_by: dict[int, int]  # block -> request number that fetched it
    events: list  # vlab.application.sandbox.streaming.FetchEvent
    package_bytes: int
    output: str


def streaming_view(network: str = "lan", prefetch: bool = False,
                   block_size: int = 1024) -> StreamView:
    """Model: stream the viewer onto a fresh workstation and run it once."""
    package = package_program(VIEWER, "viewer", files=VIEWER_FILES, block_size=block_size,
                              launch=["classes/viewer.vlc", "classes/Page.vlc"])
    app = Workstation(HOST_FILES, network=NETWORKS[network]).launch(package, prefetch=prefetch)
    run = run_app(app)
    fetched_by = {block: event.number for event in app.stats.events for block in event.blocks}
    files = {path: list(package.index.files[path].blocks) for path in package.paths}
    return StreamView(files, fetched_by, list(app.stats.events), package.size, run.output)


@styled
def plot_streaming(view: StreamView) -> Figure:
    fig, (grid, timeline) = new_figure("wide", ncols=2, width_ratios=[3, 2])
    palette = [APP_COLOR, LEVEL_COLORS["isa"], LEVEL_COLORS["os"], LEVEL_COLORS["library"],
               LEVEL_COLORS["hardware"]]
    for row, (path, blocks) in enumerate(view.files.items()):
        grid.text(-0.3, -row + 0.4, path.removeprefix("/apps/viewer/"), ha="right",
                  va="center", fontsize=8, family="monospace")
        for column, block in enumerate(blocks):
            request = view.fetched_by.get(block)
            color = "#E8E8E8" if request is None else palette[(request - 2) % len(palette)]
            grid.add_patch(Rectangle((column, -row), 0.9, 0.8, facecolor=color, edgecolor=INK,
                                     lw=0.5))
            if request is not None:
                grid.text(column + 0.45, -row + 0.4, str(request), ha="center", va="center",
                          fontsize=7)
    width = max(len(blocks) for blocks in view.files.values())
    grid.set_xlim(-7, max(width, 4))
    grid.set_ylim(-len(view.files), 1.2)
    grid.axis("off")
    grid.set_title("Package blocks: request that fetched each (grey: never)")
    times, sizes, elapsed, moved = [0.0], [0], 0.0, 0
    for event in view.events:
        elapsed += event.modeled_us / 1000
        moved += event.nbytes
        times.append(elapsed)
        sizes.append(moved)
    timeline.step(times, [s / 1000 for s in sizes], where="post", color=APP_COLOR)
    timeline.plot(times, [s / 1000 for s in sizes], "o", color=APP_COLOR, ms=4)
    timeline.axhline(view.package_bytes / 1000, color="grey", ls="--", lw=0.8,
                     label="whole package")
    timeline.set_xlabel("modeled time (ms)")
    timeline.set_ylabel("KB fetched")
    timeline.legend(loc="center right", fontsize=8)
    timeline.set_title("Bytes over the network")
    return fig


def describe_streaming(view: StreamView) -> str:
    moved = sum(e.nbytes for e in view.events)
    elapsed = sum(e.modeled_us for e in view.events) / 1000
    reasons = ", ".join(f"{e.number}: {e.reason}" for e in view.events)
    return (f"The launch made {len(view.events)} requests ({reasons}) and moved {moved} of "
            f"{view.package_bytes} bytes ({100 * moved / view.package_bytes:.0f}%) in "
            f"{elapsed:.2f} ms of modeled network time; the app printed "
            f"{view.output.strip()!r}.")


def streaming_explorer(network: str = "lan", prefetch: bool = False,
                       block_size: int = 1024) -> Experiment:
    controls = {"network": toggle("Network", list(NETWORKS), network),
                "prefetch": checkbox("Prefetch launch set", prefetch),
                "block_size": dropdown("Block size", [256, 512, 1024, 2048, 4096], block_size)}
    return Experiment(streaming_view, plot_streaming, controls, describe=describe_streaming)


# ======================================================================== exercise helpers


def guest_output(source: str, *, jit: bool = False, jit_threshold: int = 2) -> str:
    """What the VM prints for ``source``; a compile error or a failed run is shown as text."""
    from vlab.application.hll.errors import CompileError

    try:
        vm = VM.from_source(source, "answer.py", jit=jit, jit_threshold=jit_threshold,
                            max_instructions=10**6)
    except CompileError as error:
        return f"CompileError: {error}"
    result = vm.run()
    if result.status == "ok":
        return result.output
    return result.output + f"[{result.status}] {result.message}\n"


def verdict_of_code(instructions: list[tuple], max_stack: int = 2, max_locals: int = 1) -> str:
    """Put ``instructions`` (``("LOAD_LOCAL", 0)``, ``("MUL",)``...) in ``square`` and load it.

    Returns ``"accepted"`` if the loader and verifier accept the class, else
    ``"rejected: <reason>"``.  The verifier is the oracle, not a table.
    """
    code = b"".join(opcodes.encode(name, *args) for name, *args in instructions)
    cf, info = _code_of(_squares_classes()["squares"], "square")
    info.code, info.max_stack, info.max_locals, info.lines = code, max_stack, max_locals, []
    vm = VM(MemoryEntry({**_squares_classes(), "squares": classfile.write(cf)}))
    result = vm.run("squares")
    return "rejected: " + result.message if result.status == "rejected" else "accepted"


def actual_launch(sizes: dict[str, int], used: list[str], block_size: int,
                  network: str = "lan") -> dict:
    """Stream a package of files of ``sizes`` and read ``used`` in order (no prefetch).

    Returns what really crossed the modeled network: ``requests``, ``blocks``,
    ``bytes``, ``modeled_us``, and the package's ``metadata_bytes``.
    """
    from vlab.application.sandbox.packager import build_package
    from vlab.application.sandbox.streaming import StreamingClient, StreamingServer

    package = build_package({name: bytes(size) for name, size in sizes.items()}, "exercise",
                            block_size=block_size)
    client = StreamingClient(StreamingServer(package), NETWORKS[network])
    for name in used:
        client.read_file(f"{package.manifest.root}/{name}")
    stats = client.stats
    return {"requests": stats.requests, "blocks": stats.blocks_fetched,
            "bytes": stats.bytes_fetched, "modeled_us": stats.modeled_us,
            "metadata_bytes": package.metadata_size}


SCENARIO_HOST = {"/etc/motd": b"hello\n", "/home/s/notes.txt": b"milk\n",
                 "/usr/lib/libc.txt": b"host libc\n"}
SCENARIO_PACKAGE = {"/usr/lib/libc.txt": b"app libc\n", "app.cfg": b"x=1\n"}
#: (operation, path[, data]) applied in order by the application ``app``.
SCENARIO_STEPS = [("append", "/home/s/notes.txt", b"eggs\n"), ("delete", "/usr/lib/libc.txt"),
                  ("write", "/tmp/new.txt", b"new\n"), ("delete", "/tmp/new.txt"),
                  ("write", "/etc/motd", b"bye\n")]
SCENARIO_PATHS = ["/etc/motd", "/home/s/notes.txt", "/usr/lib/libc.txt", "/apps/app/app.cfg",
                  "/tmp/new.txt"]


def scenario_layers(steps: list[tuple] = SCENARIO_STEPS) -> tuple[dict[str, str | None], list]:
    """Run ``steps`` in a fresh sandbox; the layer answering each scenario path, and whiteouts."""
    from vlab.application.sandbox.packager import build_package

    app = Workstation(SCENARIO_HOST).launch(build_package(SCENARIO_PACKAGE, "app"))
    for operation, path, *data in steps:
        getattr(app.vfs, operation)(path, *data)
    return ({path: app.vfs.layer_of(path) for path in SCENARIO_PATHS},
            sorted(app.sandbox.whiteouts))
