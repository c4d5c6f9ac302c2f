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
    ],
    ids=["missing-folder", "empty-folder"],
)
def test_collect_errors_say_what_is_wrong(course_root, tmp_path, capsys, make_inbox, message):
    inbox = tmp_path / "inbox"
    make_inbox(inbox)
    assert vlab_course(course_root, "collect", str(inbox), "ps0") == 2
    assert message in capsys.readouterr().err


def _notebook(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURE_SOURCE / "ps0" / "ps0.ipynb", path)


@pytest.mark.parametrize(
    ("make_bad", "message"),
    [
        (lambda inbox: (inbox / "carol.ipynb").write_text("not json"),
         "carol.ipynb: not a readable notebook"),
        (lambda inbox: _notebook(inbox / "-x.ipynb"), "'-x' cannot be a student id"),
        (lambda inbox: (_notebook(inbox / "dan.ipynb"), _notebook(inbox / "dan" / "ps0.ipynb")),
         "a second submission for 'dan'"),
    ],
    ids=["not-a-notebook", "bad-student-id", "duplicate"],
)
def test_collect_skips_and_lists_what_it_cannot_take(course_root, tmp_path, capsys, make_bad,
                                                     message):
    inbox = tmp_path / "inbox"
    _notebook(inbox / "alice.ipynb")
    make_bad(inbox)
    assert vlab_course(course_root, "collect", str(inbox), "ps0") == 1   # something skipped
    out = capsys.readouterr().out
    assert "collected ps0 from " in out and "alice" in out
    assert "skipped 1 file (fix them and collect again):" in out and message in out
    assert (course_root / "submitted" / "alice" / "ps0" / "ps0.ipynb").is_file()


def test_collect_normalises_spaces_in_a_name_and_says_so(course_root, tmp_path, capsys):
    inbox = tmp_path / "inbox"
    _notebook(inbox / "Ana Silva.ipynb")
    assert vlab_course(course_root, "collect", str(inbox), "ps0") == 0
    out = capsys.readouterr().out
    assert "collected ps0 from 1 student: Ana_Silva" in out
    assert "'Ana Silva' collected as student 'Ana_Silva'" in out
    assert (course_root / "submitted" / "Ana_Silva" / "ps0" / "ps0.ipynb").is_file()


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
    assert "wrote 1 row to" in capsys.readouterr().out
    with open(grades, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [{"assignment": "ps0", "student_id": "alice",
                     "score": "6.0", "max_score": "6.0"}]
    assert grades.read_bytes().endswith(b"6.0\n") and b"\r" not in grades.read_bytes()
    with open(tmp_path / "grades-questions.csv", newline="") as handle:
        questions = list(csv.DictReader(handle))
    assert [row["student_id"] for row in questions] == ["alice"] * len(questions)
    assert sum(float(row["score"]) for row in questions) == 6.0
    assert vlab_course(course_root, "feedback", "ps0") == 0
    assert "wrote feedback for 1 student:" in capsys.readouterr().out
    assert (course_root / "feedback" / "alice" / "ps0" / "ps0.html").is_file()


def test_autograde_lists_a_broken_submission_grades_the_rest_and_exits_1(course_root,
                                                                           tmp_path, capsys):
    import nbformat

    assert vlab_course(course_root, "release", "ps0") == 0
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(FIXTURE_SOURCE / "ps0" / "ps0.ipynb", inbox / "alice.ipynb")
    nb = nbformat.read(FIXTURE_SOURCE / "ps0" / "ps0.ipynb", as_version=4)
    nb.cells[3].source = "import os\nos._exit(1)"  # q1's answer ends the kernel
    nbformat.write(nb, inbox / "bob.ipynb")
    assert vlab_course(course_root, "collect", str(inbox), "ps0") == 0
    capsys.readouterr()
    assert vlab_course(course_root, "autograde", "ps0", "--cell-timeout", "20") == 1
    out = capsys.readouterr().out
    assert "alice  6 / 6" in out and "bob    0 / 6" in out
    assert "problems in 1 submission" in out and "'bob': the kernel died in cell 3" in out


def test_feedback_needs_autograded_submissions(course_root, capsys):
    assert vlab_course(course_root, "feedback", "ps0") == 2
    assert "vlab course autograde ps0" in capsys.readouterr().err


def test_the_course_is_found_from_inside_the_checkout(course_root):
    assert find_course_root(course_root.parent) == course_root
    assert find_course_root(course_root / "source" / "ps0") == course_root
    assert Course.open(course_root).assignments() == ["ps0"]


def test_no_course_is_a_clear_error(tmp_path):
    with pytest.raises(CourseError, match="no course found"):
        find_course_root(tmp_path)


def test_the_autograder_executes_confined_with_the_wake_safe_client():
    from nbgrader.preprocessors import Execute

    from vlab.course.execute import SafeNotebookClient
    from vlab.course.executor import ConfinedExecute
    from vlab.course.grading_worker import GradingClient

    config = Course.open(ROOT / "exercises").config()
    steps = config.Autograde.autograde_preprocessors
    assert ConfinedExecute in steps and Execute not in steps
    executor = ConfinedExecute(config=config)
    assert executor.timeout == 30
    assert issubclass(GradingClient, SafeNotebookClient)  # the confined run is wake-safe
