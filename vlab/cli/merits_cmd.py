"""``vlab merits``: the lecture's relative-merits table, measured on vlab's own levels.

Runs the merits suite (vlab/lab/merits): the workload set through every level, the
flexibility corpus, the code metrics and the attack battery; prints the scores beside
Hwang et al.'s Table 3.1, then the raw measurements behind them.  ``--quick`` runs the
workloads with fewer iterations (the same cells, a noisier ratio for tiny loops).
"""

from __future__ import annotations

import argparse

SECTIONS = ("scores", "performance", "flexibility", "complexity", "isolation", "reasons")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true",
                        help="small workloads (a few seconds); the default runs larger ones")
    parser.add_argument("--wall", action="store_true",
                        help="print each overhead's wall-clock ratio beside it (this "
                             "computer's simulation time; the scores never use it)")
    parser.add_argument("--only", choices=SECTIONS, action="append", metavar="SECTION",
                        help=f"print only these sections ({', '.join(SECTIONS)}); "
                             "repeatable")


def run(args: argparse.Namespace) -> int:
    from vlab.lab.merits import report
    from vlab.lab.merits.scores import measure_all
    measurements = measure_all(quick=args.quick)
    printers = {"scores": report.scores_text,
                "performance": lambda m: report.overhead_text(m, wall=args.wall),
                "flexibility": report.flexibility_text,
                "complexity": report.complexity_text, "isolation": report.isolation_text,
                "reasons": report.reasons_text}
    chosen = args.only or list(SECTIONS)
    print("\n\n".join(printers[name](measurements) for name in SECTIONS if name in chosen))
    return 0
