"""Collect a folder of student submissions into nbgrader's ``submitted/`` tree.

Two layouts are accepted for an assignment ``ID`` (they may be mixed)::

    FOLDER/<student>.ipynb          one notebook per student, named after the student
    FOLDER/<student>/ID.ipynb       one folder per student, holding the notebook

Each becomes ``submitted/<student>/ID/ID.ipynb``; a student collected again
is replaced.  A file that is not a readable notebook is rejected with its name.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from vlab.course.directory import Course, CourseError, check_id


def find_submissions(folder: Path, assignment: str) -> dict[str, Path]:
    """``{student: notebook}`` found in ``folder`` in either layout."""
    if not folder.is_dir():
        raise CourseError(f"submissions folder {folder} does not exist")
    found: dict[str, Path] = {}
    for entry in sorted(folder.iterdir()):
        if entry.is_file() and entry.suffix == ".ipynb":
            student, notebook = entry.stem, entry
        elif entry.is_dir() and (entry / f"{assignment}.ipynb").is_file():
            student, notebook = entry.name, entry / f"{assignment}.ipynb"
        else:
            continue
        if student in found:
            raise CourseError(f"two submissions for {student!r}: {found[student]} and {notebook}")
        found[student] = notebook
    if not found:
        raise CourseError(
            f"no submissions of {assignment!r} in {folder}: expected <student>.ipynb "
            f"or <student>/{assignment}.ipynb"
        )
    return found


def collect(course: Course, folder: str | Path, assignment: str) -> list[str]:
    """Copy every submission in ``folder`` into the course; return the students, sorted."""
    course.require_assignment(assignment)
    submissions = find_submissions(Path(folder), assignment)
    for student, notebook in submissions.items():
        check_id("student", student)
        _check_notebook(notebook)
    for student, notebook in submissions.items():
        destination = course.root / "submitted" / student / assignment
        if destination.exists():
            shutil.rmtree(destination)
        destination.mkdir(parents=True)
        shutil.copyfile(notebook, destination / f"{assignment}.ipynb")
    return sorted(submissions)


def _check_notebook(path: Path) -> None:
    try:
        nbformat.read(path, as_version=4)
    except Exception as error:  # any parse failure is the same problem for the instructor
        raise CourseError(f"{path} is not a readable notebook: {error}") from error
