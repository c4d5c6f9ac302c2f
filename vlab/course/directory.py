"""The course directory: where it is, its nbgrader configuration, its assignments."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from traitlets.config import Config, PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"
# Assignment and student ids; matched whole (``fullmatch``: ``$`` would accept "id\\n").
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class CourseError(Exception):
    """A problem the instructor can fix; the message says what and how."""


def find_course_root(start: Path | None = None) -> Path:
    """The ``exercises/`` directory above or below ``start`` (default: the working directory)."""
    start = (start or Path.cwd()).resolve()
    for directory in (start, *start.parents):
        for candidate in (directory, directory / "exercises"):
            if (candidate / CONFIG_FILE).is_file() and (candidate / "source").is_dir():
                return candidate
    raise CourseError(
        f"no course found from {start}: expected exercises/{CONFIG_FILE} and "
        "exercises/source/ (run from the vlab checkout or pass --course DIR)"
    )


def check_id(kind: str, value: str) -> str:
    """Reject ids nbgrader cannot use as directory names."""
    if not ID_PATTERN.fullmatch(value):
        raise CourseError(
            f"invalid {kind} id {value!r}: use letters, digits, '_', '.', '-' "
            "and start with a letter or digit"
        )
    return value


@dataclass
class Course:
    """An nbgrader course rooted at ``root`` (normally ``exercises/``)."""

    root: Path
    overrides: Config = field(default_factory=Config)

    @classmethod
    def open(cls, root: str | Path | None = None, **overrides: dict) -> Course:
        """Open the course at ``root`` (or find it); ``overrides`` are config sections."""
        path = Path(root).resolve() if root is not None else find_course_root()
        if not (path / CONFIG_FILE).is_file():
            raise CourseError(f"{path} is not a course: {CONFIG_FILE} is missing")
        return cls(path, Config(overrides))

    def config(self) -> Config:
        """The course's nbgrader_config.py, then the overrides, with ``root`` pinned."""
        config = PyFileConfigLoader(CONFIG_FILE, path=str(self.root)).load_config()
        config.merge(self.overrides)
        config.CourseDirectory.root = str(self.root)
        return config

    @property
    def source(self) -> Path:
        return self.root / "source"

    def assignments(self) -> list[str]:
        """Authored assignments: ``source/<id>/<id>.ipynb``, sorted."""
        if not self.source.is_dir():
            return []
        return sorted(
            directory.name
            for directory in self.source.iterdir()
            if (directory / f"{directory.name}.ipynb").is_file()
        )

    def require_assignment(self, assignment: str) -> str:
        """``assignment`` if it is authored here, else a CourseError listing what is."""
        check_id("assignment", assignment)
        if assignment not in self.assignments():
            known = ", ".join(self.assignments()) or "none"
            raise CourseError(
                f"no assignment {assignment!r} in {self.source} "
                f"(expected {assignment}/{assignment}.ipynb; known: {known})"
            )
        return assignment

    def submitted_students(self, assignment: str) -> list[str]:
        """Students with a collected submission of ``assignment``, sorted."""
        submitted = self.root / "submitted"
        if not submitted.is_dir():
            return []
        return sorted(
            student.name for student in submitted.iterdir() if (student / assignment).is_dir()
        )
