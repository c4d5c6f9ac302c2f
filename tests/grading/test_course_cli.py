"""``vlab course``: release, collect, autograde and export, and their errors."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from vlab.cli import main
from vlab.course import Course, CourseError
from vlab.course.directory import find_course_root

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_SOURCE = Path(__file__).parent / "fixtures" / "course" / "source"

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def course_root(tmp_path) -> Path:
    root = tmp_path / "exercises"
    shutil.copytree(FIXTURE_SOURCE, root / "source")
    shutil.copy(ROOT / "exercises" / "nbgrader_config.py", root)
    return root


def vlab_course(root: Path, *args: str) -> int:
    return main(["course", "--course", str(root), *args])


def test_collect_accepts_both_layouts(course_root, tmp_path, capsys):
    inbox = tmp_path / "inbox"
    (inbox / "bob").mkdir(parents=True)
    shutil.copy(FIXTURE_SOURCE / "ps0" / "ps0.ipynb", inbox / "alice.ipynb")
    shutil.copy(FIXTURE_SOURCE / "ps0" / "ps0.ipynb", inbox / "bob" / "ps0.ipynb")
    (inbox / "notes.txt").write_text("not a submission")
    assert vlab_course(course_root, "collect", str(inbox), "ps0") == 0
    assert "collected ps0 from 2 students: alice, bob" in capsys.readouterr().out
    for student in ("alice", "bob"):
        assert (course_root / "submitted" / student / "ps0" / "ps0.ipynb").is_file()


@pytest.mark.parametrize(
    ("make_inbox", "message"),
    [
        (lambda inbox: None, "does not exist"),
        (lambda inbox: inbox.mkdir(), "no submissions of 'ps0'"),
        (lambda inbox: (inbox.mkdir(), (inbox / "a b.ipynb").write_text("{}")),
         "invalid student id 'a b'"),
        (lambda inbox: (inbox.mkdir(), (inbox / "carol.ipynb").write_text("not json")),
         "carol.ipynb is not a readable notebook"),
        (lambda inbox: (inbox.mkdir(), (inbox / "dan").mkdir(),
                        (inbox / "dan.ipynb").write_text("{}"),
                        (inbox / "dan" / "ps0.ipynb").write_text("{}")),
         "two submissions for 'dan'"),
    ],
    ids=["missing-folder", "empty-folder", "bad-student-id", "not-a-notebook", "duplicate"],
)
def test_collect_errors_say_what_is_wrong(course_root, tmp_path, capsys, make_inbox, message):
    inbox = tmp_path / "inbox"
    make_inbox(inbox)
    assert vlab_course(course_root, "collect", str(inbox), "ps0") == 2
    assert message in capsys.readouterr().err


def test_unknown_assignment_lists_the_known_ones(course_root, capsys):
    assert vlab_course(course_root, "release", "ps9") == 2
    error = capsys.readouterr().err
    assert "no assignment 'ps9'" in error and "known: ps0" in error


def test_autograde_needs_submissions_then_a_release(course_root, tmp_path, capsys):
    assert vlab_course(course_root, "autograde", "ps0") == 2
    assert "no submissions of 'ps0'" in capsys.readouterr().err
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(FIXTURE_SOURCE / "ps0" / "ps0.ipynb", inbox / "alice.ipynb")
    vlab_course(course_root, "collect", str(inbox), "ps0")
    assert vlab_course(course_root, "autograde", "ps0") == 2
    assert "vlab course release ps0" in capsys.readouterr().err


def test_release_autograde_export(course_root, tmp_path, capsys):
    assert vlab_course(course_root, "release", "--all") == 0
    assert (course_root / "release" / "ps0" / "ps0.ipynb").is_file()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(FIXTURE_SOURCE / "ps0" / "ps0.ipynb", inbox / "alice.ipynb")
    assert vlab_course(course_root, "collect", str(inbox), "ps0") == 0
    assert vlab_course(course_root, "autograde", "ps0", "--cell-timeout", "20") == 0
    assert "alice  6 / 6" in capsys.readouterr().out
    grades = tmp_path / "grades.csv"
    assert vlab_course(course_root, "export", "-o", str(grades)) == 0
    with open(grades, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [{"assignment": "ps0", "student_id": "alice",
                     "score": "6.0", "max_score": "6.0"}]


def test_the_course_is_found_from_inside_the_checkout(course_root):
    assert find_course_root(course_root.parent) == course_root
    assert find_course_root(course_root / "source" / "ps0") == course_root
    assert Course.open(course_root).assignments() == ["ps0"]


def test_no_course_is_a_clear_error(tmp_path):
    with pytest.raises(CourseError, match="no course found"):
        find_course_root(tmp_path)


def test_the_autograder_executes_with_the_wake_safe_client():
    from nbgrader.preprocessors import Execute

    from vlab.course.execute import WakeSafeKernelManager
    from vlab.course.executor import WakeSafeExecute

    config = Course.open(ROOT / "exercises").config()
    steps = config.Autograde.autograde_preprocessors
    assert WakeSafeExecute in steps and Execute not in steps
    executor = WakeSafeExecute(config=config)
    assert executor.kernel_manager_class is WakeSafeKernelManager
    assert executor.timeout == 30
