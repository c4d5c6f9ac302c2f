"""``vlab course``: the instructor workflow (release, collect, autograde, export).

    vlab course release ASSIGNMENT | --all     student version -> exercises/release/
    vlab course collect FOLDER ASSIGNMENT      FOLDER/<student>.ipynb or
                                               FOLDER/<student>/ASSIGNMENT.ipynb
                                               -> exercises/submitted/<student>/ASSIGNMENT/
    vlab course autograde ASSIGNMENT           execute + score -> exercises/gradebook.db
    vlab course export -o grades.csv           one row per (assignment, student)

The course is found from the working directory (``exercises/`` of the vlab
checkout) unless ``--course DIR`` is given.  See book/instructors.md.
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--course", metavar="DIR",
                        help="the course root (default: exercises/ found from here)")
    steps = parser.add_subparsers(dest="step", metavar="STEP", required=True)

    release_parser = steps.add_parser("release", help="write the student version (no solutions)")
    which = release_parser.add_mutually_exclusive_group(required=True)
    which.add_argument("assignment", nargs="?", help="assignment id, e.g. ch01")
    which.add_argument("--all", action="store_true", help="every assignment in source/")

    collect_parser = steps.add_parser("collect", help="import a folder of submissions")
    collect_parser.add_argument("folder", help="<student>.ipynb or <student>/<assignment>.ipynb")
    collect_parser.add_argument("assignment", help="assignment id")

    grade_parser = steps.add_parser("autograde", help="execute and score collected submissions")
    grade_parser.add_argument("assignment", help="assignment id")
    grade_parser.add_argument("--cell-timeout", type=int, metavar="SECONDS",
                              help="per-cell limit (default: c.Execute.timeout in the config)")

    export_parser = steps.add_parser("export", help="write the gradebook's scores as CSV")
    export_parser.add_argument("-o", "--output", default="grades.csv", help="CSV file to write")


def run(args: argparse.Namespace) -> int:
    from vlab.course import CourseError  # nbgrader is slow to import: only when used

    try:
        return STEPS[args.step](args)
    except CourseError as error:
        print(f"vlab course {args.step}: error: {error}", file=sys.stderr)
        return 2


def _open(args: argparse.Namespace, **overrides: dict):
    from vlab.course import Course

    return Course.open(args.course, **overrides)


def _release(args: argparse.Namespace) -> int:
    from vlab.course import CourseError, release

    course = _open(args)
    assignments = course.assignments() if args.all else [args.assignment]
    if not assignments:
        raise CourseError(f"no assignments in {course.source}")
    for assignment in assignments:
        print(f"released {assignment} -> {release(course, assignment)}")
    return 0


def _collect(args: argparse.Namespace) -> int:
    from vlab.course import collect

    students = collect(_open(args), args.folder, args.assignment)
    print(f"collected {args.assignment} from {len(students)} students: {', '.join(students)}")
    return 0


def _autograde(args: argparse.Namespace) -> int:
    from vlab.course import autograde

    overrides = {"Execute": {"timeout": args.cell_timeout}} if args.cell_timeout else {}
    results = autograde(_open(args, **overrides), args.assignment)
    width = max(len(student) for student in results)
    for student, (score, max_score) in sorted(results.items()):
        print(f"{student:<{width}}  {score:g} / {max_score:g}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from vlab.course import export_grades

    rows = export_grades(_open(args), args.output)
    print(f"wrote {rows} rows to {args.output}")
    return 0


STEPS = {"release": _release, "collect": _collect, "autograde": _autograde, "export": _export}
