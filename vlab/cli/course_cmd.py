"""``vlab course``: the instructor workflow (release, collect, autograde, export, feedback).

    vlab course release ASSIGNMENT | --all     student version -> exercises/release/
    vlab course collect FOLDER ASSIGNMENT      FOLDER/<student>.ipynb or
                                               FOLDER/<student>/ASSIGNMENT.ipynb
                                               -> exercises/submitted/<student>/ASSIGNMENT/
                                               (what cannot be taken is skipped and listed;
                                               exit status 1 if anything was skipped)
    vlab course autograde ASSIGNMENT           execute + score -> exercises/gradebook.db
    vlab course export -o grades.csv           one row per (assignment, student), and
                                               grades-questions.csv: one row per question
    vlab course feedback ASSIGNMENT            exercises/feedback/<student>/ASSIGNMENT/*.html

The course is found from the working directory (``exercises/`` of the vlab
checkout) unless ``--course DIR`` is given.  See book/instructors.md.
"""

from __future__ import annotations

import argparse
import sys

from .wording import count


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--course", metavar="DIR",
                        help="the course root (default: exercises/ found from here)")
    steps = parser.add_subparsers(dest="step", metavar="STEP", required=True)

    release_parser = steps.add_parser(
        "release", help="write the student version (no solutions)",
        description="Write the student version of an assignment to exercises/release/: "
        "solutions replaced by a stub, hidden tests removed (nbgrader generate_assignment).")
    which = release_parser.add_mutually_exclusive_group(required=True)
    which.add_argument("assignment", nargs="?", help="assignment id, e.g. ch01")
    which.add_argument("--all", action="store_true", help="every assignment in source/")

    collect_parser = steps.add_parser(
        "collect", help="import a folder of submissions",
        description="Import a folder of submissions into exercises/submitted/. What cannot "
        "be taken (a corrupt notebook, a name that cannot be a student id, a second "
        "submission) is skipped and listed, the rest collected; spaces in names become '_'. "
        "Exit status 1 when something was skipped.")
    collect_parser.add_argument("folder", help="<student>.ipynb or <student>/<assignment>.ipynb")
    collect_parser.add_argument("assignment", help="assignment id")

    grade_parser = steps.add_parser(
        "autograde", help="execute and score collected submissions",
        description="Execute every collected submission in a fresh kernel, each confined on "
        "its own (limits, no network under bubblewrap), and record a score per test cell in "
        "exercises/gradebook.db (nbgrader autograde). Submissions that crashed, hung, flooded "
        "output or tampered with grading are listed with the reason; the exit status is then "
        "1. See book/instructors.md.")
    grade_parser.add_argument("assignment", help="assignment id")
    grade_parser.add_argument("--cell-timeout", type=int, metavar="SECONDS",
                              help="per-cell limit (default: c.Execute.timeout in the config)")

    export_parser = steps.add_parser(
        "export", help="write the gradebook's scores as CSV",
        description="Write the gradebook as two CSV files (Unix line endings): the totals "
        "and the score of every question.")
    export_parser.add_argument("-o", "--output", default="grades.csv",
                               help="CSV of totals: assignment,student_id,score,max_score")
    export_parser.add_argument("--questions", metavar="CSV",
                               help="CSV of per-question scores (default: OUTPUT with "
                               "-questions before .csv)")

    feedback_parser = steps.add_parser(
        "feedback", help="write each student's feedback page (nbgrader generate_feedback)",
        description="Write one HTML feedback page per autograded submission to "
        "exercises/feedback/<student>/ASSIGNMENT/: the graded notebook with the points of "
        "each test cell and the message of every failed check.")
    feedback_parser.add_argument("assignment", help="assignment id")


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

    done = collect(_open(args), args.folder, args.assignment)
    names = ", ".join(done.collected) or "nobody"
    print(f"collected {args.assignment} from {count(len(done.collected), 'student')}: {names}")
    for name, student in done.renamed.items():
        print(f"  {name!r} collected as student {student!r}")
    if done.skipped:
        print(f"skipped {count(len(done.skipped), 'file')} (fix them and collect again):")
        for path, reason in done.skipped:
            print(f"  {path}: {reason}")
    return 1 if done.skipped else 0


def _autograde(args: argparse.Namespace) -> int:
    from vlab.course import autograde

    overrides = {"Execute": {"timeout": args.cell_timeout}} if args.cell_timeout else {}
    results = autograde(_open(args, **overrides), args.assignment)
    width = max((len(student) for student in results), default=0)
    for student, (score, max_score) in sorted(results.items()):
        print(f"{student:<{width}}  {score:g} / {max_score:g}")
    if results.problems:
        print(f"problems in {count(len(results.problems), 'submission')} (zero for what "
              "they broke; the rest was graded):")
        for student, problems in sorted(results.problems.items()):
            for problem in problems:
                print(f"  {student!r}: {problem}")
    return 1 if results.problems else 0


def _export(args: argparse.Namespace) -> int:
    from vlab.course import export_grades
    from vlab.course.grading import questions_path

    questions = args.questions or questions_path(args.output)
    totals, per_question = export_grades(_open(args), args.output, questions)
    print(f"wrote {count(totals, 'row')} to {args.output} (totals) and "
          f"{count(per_question, 'row')} to {questions} (one per question)")
    return 0


def _feedback(args: argparse.Namespace) -> int:
    from vlab.course import generate_feedback

    pages = generate_feedback(_open(args), args.assignment)
    print(f"wrote feedback for {count(len(pages), 'student')}:")
    for student, page in pages.items():
        print(f"  {student}: {page}")
    return 0


STEPS = {"release": _release, "collect": _collect, "autograde": _autograde, "export": _export,
         "feedback": _feedback}
