"""Release, autograde, export and feedback through nbgrader's Python API and sqlite gradebook.

The exported CSV files use Unix line endings (Python's csv module writes ``\r\n`` unless
told otherwise, which shows as ``^M`` in a Unix editor and breaks line-based tools)."""

from __future__ import annotations

import contextlib
import csv
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from sqlalchemy.exc import SAWarning

from vlab.course.directory import ID_PATTERN, Course, CourseError
from vlab.course.executor import METADATA_KEY

GRADES_CSV_COLUMNS = ("assignment", "student_id", "score", "max_score")
QUESTIONS_CSV_COLUMNS = ("assignment", "student_id", "question", "score", "max_score")


@contextlib.contextmanager
def tools_on_path() -> Iterator[None]:
    """Put this interpreter's bin directory on PATH for nbgrader's subprocesses.

    A new gradebook is set up by running ``alembic`` as a command, which is
    found only if the course's virtual environment is on PATH (it is not when
    ``.venv/bin/vlab`` is run directly).
    """
    saved = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), saved])
    try:
        yield
    finally:
        os.environ["PATH"] = saved


def nbgrader_api(course: Course) -> NbGraderAPI:
    """nbgrader's API on this course, configured by its nbgrader_config.py."""
    config = course.config()
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _run(step: str, result: dict) -> None:
    if not result.get("success"):
        detail = "\n".join(part.strip() for part in (result.get("log"), result.get("error"))
                           if part)
        raise CourseError(f"nbgrader {step} failed:\n{detail}")


def release(course: Course, assignment: str) -> Path:
    """Write the student version of ``assignment`` to ``release/`` (no solutions)."""
    course.require_assignment(assignment)
    with tools_on_path():
        result = nbgrader_api(course).generate_assignment(assignment)
    _run(f"generate_assignment {assignment}", result)
    return course.root / "release" / assignment


class Grades(dict):
    """``{student: (score, max_score)}``, plus ``problems``: ``{student: [reason, ...]}`` for
    every submission the autograder had trouble with (a crash, a hang, flooded output,
    tampering, a run nbgrader refused), which still appears in the scores when it was
    graded at all."""

    def __init__(self, scores: dict[str, tuple[float, float]],
                 problems: dict[str, list[str]]):
        super().__init__(scores)
        self.problems = problems


def autograde(course: Course, assignment: str) -> Grades:
    """Execute and score every collected submission of ``assignment``, each confined and on
    its own (:mod:`vlab.course.executor`): one submission's failure never stops the others.
    Returns the scores and, per student, what went wrong."""
    course.require_assignment(assignment)
    students = course.submitted_students(assignment)
    if not students:
        raise CourseError(
            f"no submissions of {assignment!r} in {course.root / 'submitted'} "
            f"(collect them first: vlab course collect FOLDER {assignment})"
        )
    with _gradebook(course) as gradebook:
        try:
            gradebook.find_assignment(assignment)
        except MissingEntry:
            raise CourseError(
                f"{assignment!r} is not in the gradebook yet "
                f"(release it first: vlab course release {assignment})"
            ) from None
    api = nbgrader_api(course)
    problems: dict[str, list[str]] = {}
    for student in students:
        if not ID_PATTERN.fullmatch(student):
            problems[student] = [f"not graded: {student!r} is an invalid student id (rename "
                                 f"its folder in {course.root / 'submitted'})"]
            continue
        with tools_on_path(), warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)  # nbgrader's own session bookkeeping
            try:
                result = api.autograde(assignment, student)
            except Exception as error:  # nbgrader's own failure on this one submission
                result = {"success": False, "error": f"{type(error).__name__}: {error}"}
        if not result.get("success"):
            problems[student] = [f"not graded: nbgrader autograde failed: "
                                 f"{_summary(result)}"]
            continue
        found = grading_problems(course, assignment, student)
        if found:
            problems[student] = found
    return Grades(scores(course, assignment), problems)


def _summary(result: dict) -> str:
    """The last meaningful line of nbgrader's log or error, for the problem list."""
    text = "\n".join(part for part in (result.get("log"), result.get("error")) if part)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no message"


def grading_problems(course: Course, assignment: str, student: str) -> list[str]:
    """What the confined execution recorded in the autograded notebook (``[]`` if none)."""
    path = course.root / "autograded" / student / assignment / f"{assignment}.ipynb"
    try:
        metadata = nbformat.read(path, as_version=4).metadata
    except (OSError, ValueError):
        return []
    return list(metadata.get(METADATA_KEY, {}).get("grading", {}).get("problems", []))


def scores(course: Course, assignment: str) -> dict[str, tuple[float, float]]:
    """``{student: (score, max_score)}`` for every graded submission of ``assignment``."""
    with _gradebook(course) as gradebook:
        return {
            submission.student.id: (submission.score, submission.max_score)
            for submission in gradebook.assignment_submissions(assignment)
        }


def question_scores(course: Course, assignment: str, student: str) -> dict[str, float]:
    """``{grade_id: score}`` of one student's submission, for every graded cell."""
    with _gradebook(course) as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return {
            grade.name: grade.score
            for notebook in submission.notebooks
            for grade in notebook.grades
        }


def questions_path(destination: str | Path) -> Path:
    """Where the per-question CSV goes by default: ``grades.csv`` -> ``grades-questions.csv``."""
    destination = Path(destination)
    return destination.with_name(f"{destination.stem}-questions{destination.suffix or '.csv'}")


def export_grades(course: Course, destination: str | Path,
                  questions: str | Path | None = None) -> tuple[int, int]:
    """Write the totals, one CSV row per (assignment, student) with a submission, to
    ``destination``, and the score of every graded cell, one row per (assignment, student,
    question), to ``questions`` (default :func:`questions_path`); return both row counts."""
    totals, per_question = [], []
    with _gradebook(course) as gradebook:
        for assignment in gradebook.assignments:
            for submission in gradebook.assignment_submissions(assignment.name):
                student = submission.student.id
                totals.append((assignment.name, student, submission.score,
                               submission.max_score))
                per_question += [(assignment.name, student, grade.name, grade.score,
                                  grade.max_score)
                                 for notebook in submission.notebooks
                                 for grade in notebook.grades]
    _write_csv(destination, GRADES_CSV_COLUMNS, sorted(totals))
    _write_csv(questions or questions_path(destination), QUESTIONS_CSV_COLUMNS,
               sorted(per_question))
    return len(totals), len(per_question)


def _write_csv(path: str | Path, header: tuple[str, ...], rows: list[tuple]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def generate_feedback(course: Course, assignment: str) -> dict[str, Path]:
    """nbgrader's generate_feedback for every autograded submission of ``assignment``: one
    HTML page per student (their notebook with scores, hidden-test messages and comments)
    in ``feedback/<student>/<assignment>/``; returns ``{student: page}``."""
    course.require_assignment(assignment)
    graded = sorted(path.parent.parent.name for path in
                    (course.root / "autograded").glob(f"*/{assignment}/{assignment}.ipynb"))
    if not graded:
        raise CourseError(f"no autograded submissions of {assignment!r} (autograde them "
                          f"first: vlab course autograde {assignment})")
    api = nbgrader_api(course)
    pages = {}
    for student in graded:
        with tools_on_path(), warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)
            result = api.generate_feedback(assignment, student)
        _run(f"generate_feedback {assignment} for {student}", result)
        pages[student] = (course.root / "feedback" / student / assignment
                          / f"{assignment}.html")
    return pages


def _gradebook(course: Course) -> Gradebook:
    config = course.config()
    course_id = config.CourseDirectory.course_id
    with tools_on_path():
        return Gradebook(CourseDirectory(config=config).db_url, course_id)
