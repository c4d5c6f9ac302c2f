"""Tampering with a class file: the loader and verifier judge bytes, not source.

Each tampering changes the bytes of ``squares.vlc`` with
:mod:`vlab.application.hll.patching` and runs the result on a fresh VM: a malformed
file or an unsafe method is rejected with its reason before any of it runs (the JVM's
verification, Lindholm et al., JVM Specification sec. 4.10).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from vlab.application.hll import classfile, opcodes
from vlab.application.hll.compiler import compile_source
from vlab.application.hll.loader import MemoryEntry
from vlab.application.hll.patching import NOP, first_pool_index, patch_code, put
from vlab.application.hll.vm import VM, RunResult
from vlab.lab.appvm.programs import SQUARES
from vlab.lab.experiment import Experiment, dropdown
from vlab.lab.style import LEVEL_COLORS, ROLE_COLORS, new_figure, styled

REJECT_COLOR = LEVEL_COLORS["hardware"]

#: name -> (what the change does, how to apply it to the class file's bytes).
#: Code changes hit ``square``, whose code is LOAD_LOCAL 0; LOAD_LOCAL 0; MUL; RETURN; ...
TAMPERINGS: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "none": ("the class file as compiled", lambda d: d),
    "stack underflow": ("the first LOAD_LOCAL becomes three NOPs, so MUL finds one operand",
                        lambda d: patch_code(d, "square", put(0, NOP * 3))),
    "max_stack too small": ("max_stack of square set to 1 although it needs 2",
                            lambda d: patch_code(d, "square", max_stack=1)),
    "undefined local": ("LOAD_LOCAL 0 becomes LOAD_LOCAL 9; square has 1 local",
                        lambda d: patch_code(d, "square", put(1, (9).to_bytes(2, "big")))),
    "jump into an instruction": ("the first instruction becomes JUMP 1, inside itself",
                                 lambda d: patch_code(d, "square",
                                                      put(0, opcodes.encode("JUMP", 1)))),
    "wrong constant kind": ("LOAD_LOCAL 0 becomes LOAD_CONST of a CLASS entry",
                            lambda d: patch_code(d, "square", put(3, opcodes.encode(
                                "LOAD_CONST", first_pool_index(d, "CLASS"))))),
    "unknown opcode": ("MUL (opcode 10) becomes byte 238, which is no instruction",
                       lambda d: patch_code(d, "square", put(6, bytes([238])))),
    "falls off the end": ("both RETURNs become NOPs: control runs past the last byte",
                          lambda d: patch_code(d, "square", put(7, NOP), put(11, NOP))),
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
def squares_classes() -> dict[str, bytes]:
    """The class files of :data:`~vlab.lab.appvm.programs.SQUARES`, name -> bytes."""
    return {c.name: classfile.write(c) for c in compile_source(SQUARES, "squares.py")}


def tamper_view(tampering: str = "stack underflow") -> TamperView:
    """Model: apply one tampering to ``squares.vlc`` and run it on a fresh VM."""
    if tampering not in TAMPERINGS:
        raise ValueError(f"unknown tampering {tampering!r}; choose one of {list(TAMPERINGS)}")
    description, apply = TAMPERINGS[tampering]
    original = squares_classes()["squares"]
    tampered = apply(original)
    result = VM(MemoryEntry({**squares_classes(), "squares": tampered})).run("squares")
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
    fig, ax = new_figure("column_low")
    changed = set(changed_offsets(view))
    first = min(changed) if changed else 0
    start = max(0, (first // columns - 1) * columns)
    for offset in range(start, min(start + columns * rows, len(view.original))):
        row, column = divmod(offset - start, columns)
        value = view.tampered[offset] if offset < len(view.tampered) else None
        color = REJECT_COLOR if offset in changed else ROLE_COLORS["layer"]
        ax.add_patch(Rectangle((column, -row), 0.95, 0.9, facecolor=color, edgecolor="white"))
        ax.text(column + 0.47, -row + 0.45, "--" if value is None else f"{value:02x}",
                ha="center", va="center", family="monospace", fontsize=9)
        if column == 0:
            ax.text(-0.3, -row + 0.45, f"{offset:5d}", ha="right", va="center",
                    family="monospace", fontsize=9, color="grey")
    ax.set_xlim(-3, columns)
    ax.set_ylim(-rows + 0.8, 1.1)
    ax.axis("off")
    verdict = {"ok": "accepted and run", "rejected": "rejected"}.get(view.result.status,
                                                                      view.result.status)
    ax.set_title(f"squares.vlc ({len(view.original)} bytes), tampering '{view.name}': "
                 f"{verdict}; {len(changed)} byte(s) changed (red)", wrap=True)
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
