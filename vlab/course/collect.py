"""Collect a folder of student submissions into nbgrader's ``submitted/`` tree.

Two layouts are accepted for an assignment ``ID`` (they may be mixed)::

    FOLDER/<student>.ipynb          one notebook per student, named after the student
    FOLDER/<student>/ID.ipynb       one folder per student, holding the notebook

Each becomes ``submitted/<student>/ID/ID.ipynb``; a student collected again is replaced.

One bad file never stops the batch: what cannot be taken (a notebook that does not parse,
a name that cannot be a student id, a second submission for the same student) is skipped
and listed with the reason, and everything else is collected.  Spaces in a name are
normalised to ``_`` ("Ana Silva.ipynb" is student ``Ana_Silva``) and the renaming is listed.
A symbolic link, a file that is not a regular file (a FIFO, a device) or one larger than
``MAX_NOTEBOOK_BYTES`` is skipped without being read.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from vlab.course.directory import ID_PATTERN, Course, CourseError

WHITESPACE = re.compile(r"\s+")
MAX_NOTEBOOK_BYTES = 32 << 20  # a larger file is skipped unread (exercise notebooks: < 1 MiB)


@dataclass
class Collection:
    """What ``collect`` did: who was collected, who was renamed, what was skipped and why."""

    collected: list[str] = field(default_factory=list)           # student ids, sorted
    renamed: dict[str, str] = field(default_factory=dict)        # name in FOLDER -> id
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (file, reason)


def find_submissions(folder: Path, assignment: str) -> list[tuple[str, Path]]:
    """``(name, notebook)`` for every submission in ``folder``, in either layout, sorted."""
    if not folder.is_dir():
        raise CourseError(f"submissions folder {folder} does not exist")
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.suffix == ".ipynb" and not entry.is_dir():
            found.append((entry.stem, entry))
        elif entry.is_dir() and (entry / f"{assignment}.ipynb").exists():
            found.append((entry.name, entry / f"{assignment}.ipynb"))
    if not found:
        raise CourseError(
            f"no submissions of {assignment!r} in {folder}: expected <student>.ipynb "
            f"or <student>/{assignment}.ipynb"
        )
    return found


def student_id(name: str) -> str | None:
    """The student id for a submission named ``name`` (whitespace becomes ``_``), or None
    if it still is not an id nbgrader can use as a directory name."""
    candidate = WHITESPACE.sub("_", name.strip())
    return candidate if ID_PATTERN.fullmatch(candidate) else None


def collect(course: Course, folder: str | Path, assignment: str) -> Collection:
    """Copy every usable submission in ``folder`` into the course; skip and list the rest."""
    course.require_assignment(assignment)
    result = Collection()
    taken: dict[str, Path] = {}
    for name, notebook in find_submissions(Path(folder), assignment):
        student = student_id(name)
        problem = _problem(name, student, notebook, taken)
        if problem:
            result.skipped.append((notebook, problem))
            continue
        taken[student] = notebook
        if student != name:
            result.renamed[name] = student
        destination = course.root / "submitted" / student / assignment
        if destination.exists():
            shutil.rmtree(destination)
        destination.mkdir(parents=True)
        shutil.copyfile(notebook, destination / f"{assignment}.ipynb")
    result.collected = sorted(taken)
    return result


def _problem(name: str, student: str | None, notebook: Path,
             taken: dict[str, Path]) -> str | None:
    """Why this submission cannot be collected, or None."""
    if student is None:
        return (f"{name!r} cannot be a student id: use letters, digits, '_', '.', '-' and "
                "start with a letter or digit (rename the file)")
    if student in taken:
        return f"a second submission for {student!r} (the first is {taken[student]})"
    if notebook.is_symlink() or notebook.parent.is_symlink():
        return "a symbolic link (not followed: copy the notebook itself into the folder)"
    if not notebook.is_file():
        return "not a regular file (a FIFO, a device or a broken link is not read)"
    size = notebook.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        return (f"{size / (1 << 20):.0f} MiB is over the {MAX_NOTEBOOK_BYTES >> 20} MiB limit "
                "for a notebook (clear its outputs and collect again)")
    try:
        nbformat.read(notebook, as_version=4)
    except Exception as error:  # any parse failure is the same problem for the instructor
        detail = " ".join(str(error).split())[:160]
        return f"not a readable notebook ({type(error).__name__}: {detail})"
    return None
