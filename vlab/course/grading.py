"""Release, autograde and export through nbgrader's Python API and sqlite gradebook."""

from __future__ import annotations

import contextlib
import csv
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from sqlalchemy.exc import SAWarning

from vlab.course.directory import Course, CourseError

GRADES_CSV_COLUMNS = ("assignment", "student_id", "score", "max_score")


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


def autograde(course: Course, assignment: str) -> dict[str, tuple[float, float]]:
    """Execute and score every collected submission of ``assignment``; return the scores."""
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
    for student in students:
        with tools_on_path(), warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)  # nbgrader's own session bookkeeping
            result = api.autograde(assignment, student)
        _run(f"autograde {assignment} for {student}", result)
    return scores(course, assignment)


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


def export_grades(course: Course, destination: str | Path) -> int:
    """Write one CSV row per (assignment, student) with a submission; return the row count."""
    rows = []
    with _gradebook(course) as gradebook:
        for assignment in gradebook.assignments:
            for submission in gradebook.assignment_submissions(assignment.name):
                rows.append((assignment.name, submission.student.id,
                             submission.score, submission.max_score))
    with open(destination, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(GRADES_CSV_COLUMNS)
        writer.writerows(sorted(rows))
    return len(rows)


def _gradebook(course: Course) -> Gradebook:
    config = course.config()
    course_id = config.CourseDirectory.course_id
    with tools_on_path():
        return Gradebook(CourseDirectory(config=config).db_url, course_id)
