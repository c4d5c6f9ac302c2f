"""The merits tables as plain text: what ``vlab merits`` prints.

Every table prints measured values or the reason a cell has none (``absent: ...``,
``not tried: ...``), so a reader can trace each score back to a run.
"""

from __future__ import annotations

from vlab.lab.concepts.levels import MERIT_CRITERIA, MERITS_SOURCE
from vlab.lab.merits import flexibility, isolation
from vlab.lab.merits.cells import Absent
from vlab.lab.merits.complexity import COMPLEXITY_RULE
from vlab.lab.merits.performance import Overhead, level_overhead
from vlab.lab.merits.scores import LEVELS, Measurements, differences, lecture, scores
from vlab.lab.merits.workloads import WORKLOADS

SHORT = {"performance": "perf", "application flexibility": "flex",
         "implementation complexity": "cmplx", "application isolation": "isol"}


def _grid(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def _short(cell) -> str:
    if isinstance(cell, Overhead):
        return f"{cell.modeled:.2f}x"
    if isinstance(cell, Absent):
        return "-"
    return str(cell).split(":")[0]


def scores_text(m: Measurements) -> str:
    ours, book = scores(m), lecture()
    header = ["level", *(f"{SHORT[c]} book/ours" for c in MERIT_CRITERIA)]
    rows = [[level, *(f"{book[level][c]} / {'-' if ours[level][c] is None else ours[level][c]}"
                      for c in MERIT_CRITERIA)] for level in LEVELS]
    return (f"Relative merits, 1 (low) to 5 (high): the lecture ({MERITS_SOURCE}) / "
            "measured here\n" + _grid(header, rows) +
            f"\n{len(differences(ours))} of {len(LEVELS) * len(MERIT_CRITERIA)} cells differ")


def _with_wall(cell) -> str:
    return f"{cell.modeled:.2f}x ({cell.wall:.1f}x)" if isinstance(cell, Overhead) else "-"


def overhead_text(m: Measurements, wall: bool = False) -> str:
    """The overhead table; ``wall``: each cell's wall-clock ratio beside it, in brackets
    (this computer's simulation time, not modeled time: never used by the scores)."""
    shown = _with_wall if wall else _short
    rows = [[variant, *(shown(row[w]) for w in WORKLOADS)] for variant, row in
            m.overheads.items()]
    means = [f"{level}: {g:.2f}x" if (g := level_overhead(m.overheads, level)) else
             f"{level}: -" for level in LEVELS]
    return ("Performance: overhead = modeled cycles through the level / natively "
            "(ledger; '-' = absent" + ("; in brackets: wall-clock ratio" if wall else "") +
            ")\n" + _grid(["variant", *WORKLOADS], rows) +
            "\ngeometric mean of the best variant per workload: " + ", ".join(means))


def flexibility_text(m: Measurements) -> str:
    rows = [[level, *(_short(m.flexibility[level][k]) for k in flexibility.KINDS),
             str(flexibility.score(m.flexibility[level]))] for level in LEVELS]
    return ("Application flexibility: which level runs which program (really tried)\n" +
            _grid(["level", *flexibility.KINDS, "score"], rows) +
            f"\nrule: {flexibility.FLEXIBILITY_RULE}")


def complexity_text(m: Measurements) -> str:
    rows = [[level, str(c.files), str(c.nloc), str(c.cyclomatic), str(c.mechanism_count),
             ", ".join(f"{v} {k}" for k, v in c.mechanisms.items())]
            for level, c in m.complexity.items()]
    return ("Implementation complexity: each level's own package (lizard)\n" +
            _grid(["level", "files", "NLOC", "cyclomatic", "mechanisms", "which"], rows) +
            f"\nrule: {COMPLEXITY_RULE}")


def isolation_text(m: Measurements) -> str:
    rows = [[attack, *(_short(m.isolation[attack][level]) for level in LEVELS)]
            for attack in isolation.ATTACKS]
    return ("Application isolation: the attack battery ('-' = not tried)\n" +
            _grid(["attack", *LEVELS], rows) + f"\nrule: {isolation.ISOLATION_RULE}")


def reasons_text(m: Measurements) -> str:
    """Every absent or failed cell with its reason, once per distinct reason."""
    seen: dict[str, list[str]] = {}
    def note(where: str, cell) -> None:
        if isinstance(cell, Absent) or isinstance(cell, flexibility.Failed):
            seen.setdefault(str(cell), []).append(where)
    for variant, row in m.overheads.items():
        for workload, cell in row.items():
            note(f"{variant}/{workload}", cell)
    for attack, row in m.isolation.items():
        for level, cell in row.items():
            note(f"{attack}@{level}", cell)
    lines = [f"  {', '.join(where[:4])}{' ...' if len(where) > 4 else ''}: {reason}"
             for reason, where in seen.items()]
    return "Why cells are empty:\n" + "\n".join(lines)


def full_text(m: Measurements) -> str:
    return "\n\n".join([scores_text(m), overhead_text(m), flexibility_text(m),
                        complexity_text(m), isolation_text(m), reasons_text(m)])
