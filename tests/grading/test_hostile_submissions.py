"""Hostile submissions against the autograder (issue 16, items 4, 5, 6, 14, 15).

One class of students hands in the fixture assignment ``ps0`` (q1: 2 points, q2: 3,
q3: 1) in a temporary course, and the class is autograded once with short limits.  Each
hostile student reproduces one attack; the test says what it must score and that it is
listed with its reason, while everyone else is graded as usual:

* ``exits`` ends its kernel with ``os._exit(1)`` in the q2 answer (item 4);
* ``deaf`` ignores SIGINT and loops in the q3 answer (item 4);
* ``forger`` adds an input transformer that turns every later cell into ``pass`` and
  answers nothing (item 5);
* ``rebinder`` answers q1 wrong and rebinds ``check``/``check_close`` to do nothing;
* ``patcher`` answers everything, then replaces ``builtins.abs`` in the q3 answer;
* ``flooder`` prints 30 million characters in the q1 answer (item 15) and answers q3
  wrong (its failure must count although the output budget is spent);
* ``escaper`` tries to delete a file outside the course, reach the network, read the
  gradebook and the grader's memory, and leave a ``sleep`` running (item 6);
* a submission folder named ``evil\\n`` (a trailing newline, item 14).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from vlab.course import Course, CourseError, autograde, collect, release
from vlab.course.collect import student_id
from vlab.course.directory import check_id
from vlab.course.grading import question_scores
from vlab.course.sandbox import confinement

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_SOURCE = Path(__file__).parent / "fixtures" / "course" / "source"
SLEEP = "777.25"  # a sleep the escaper starts; nobody else uses this duration

pytestmark = pytest.mark.timeout(400)

ESCAPER = """
import os, socket, subprocess
subprocess.Popen(["sleep", "{sleep}"], start_new_session=True)
try:
    os.remove({canary!r})
    print("DELETED outside")
except OSError as error:
    print("KEPT outside", type(error).__name__)
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2).close()
    print("NETWORK reached")
except OSError as error:
    print("NETWORK unreachable", type(error).__name__)
try:
    print("GRADEBOOK read", len(open({gradebook!r}, "rb").read()))
except OSError as error:
    print("GRADEBOOK hidden", type(error).__name__)
try:  # the grader's worker holds the later cells, with their proof tokens
    start = int(open(f"/proc/{{os.getppid()}}/maps").readline().split("-")[0], 16)
    with open(f"/proc/{{os.getppid()}}/mem", "rb") as memory:
        memory.seek(start)
        memory.read(16)
    print("WORKER memory read")
except OSError as error:
    print("WORKER memory denied", type(error).__name__)
"""


def _answer(nb, grade_id: str, source: str, *, append: bool = False) -> None:
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = cell.source + "\n" + source if append else source
            return
    raise AssertionError(f"no cell {grade_id}")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    root = base / "exercises"
    shutil.copytree(FIXTURE_SOURCE, root / "source")
    shutil.copy(ROOT / "exercises" / "nbgrader_config.py", root)
    course = Course.open(root, Execute={"timeout": 10},
                         ConfinedExecute={"notebook_timeout": 90.0, "output_limit": 100_000})
    release(course, "ps0")
    reference = nbformat.read(root / "source" / "ps0" / "ps0.ipynb", as_version=4)
    blank = nbformat.read(root / "release" / "ps0" / "ps0.ipynb", as_version=4)
    canary = base / "outside.txt"
    canary.write_text("the instructor's file\n")

    def copy(nb):
        return nbformat.from_dict(nbformat.reads(nbformat.writes(nb), as_version=4))

    students = {"reference": copy(reference)}
    students["exits"] = copy(reference)
    _answer(students["exits"], "q2-answer", "import os\nos._exit(1)")
    students["deaf"] = copy(reference)
    _answer(students["deaf"], "q3-answer",
            "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass")
    students["forger"] = copy(blank)
    _answer(students["forger"], "q1-answer",
            "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])")
    students["rebinder"] = copy(blank)
    _answer(students["rebinder"], "q1-answer",
            "def guest_cycles(native, overhead):\n    return 0\n"
            "check = check_close = lambda *args, **kwargs: None")
    students["patcher"] = copy(reference)
    _answer(students["patcher"], "q3-answer", "import builtins\nbuiltins.abs = lambda x: 0",
            append=True)
    students["flooder"] = copy(reference)
    _answer(students["flooder"], "q1-answer", "print('x' * 30_000_000)", append=True)
    _answer(students["flooder"], "q3-answer", "PRIVILEGED_MODE = 'user'")
    students["escaper"] = copy(reference)
    _answer(students["escaper"], "q1-answer", ESCAPER.format(
        sleep=SLEEP, canary=str(canary), gradebook=str(root / "gradebook.db")), append=True)

    inbox = base / "inbox"
    inbox.mkdir()
    for name, nb in students.items():
        nbformat.write(nb, inbox / f"{name}.ipynb")
    collection = collect(course, inbox, "ps0")
    evil = root / "submitted" / "evil\n" / "ps0"
    evil.mkdir(parents=True)
    shutil.copy(root / "source" / "ps0" / "ps0.ipynb", evil / "ps0.ipynb")
    grades = autograde(course, "ps0")
    return course, collection, grades, canary


def test_every_student_is_collected_and_graded(graded):
    _, collection, grades, _ = graded
    expected = {"reference", "exits", "deaf", "forger", "rebinder", "patcher", "flooder",
                "escaper"}
    assert set(collection.collected) == expected
    assert set(grades) == expected
    assert grades["reference"] == (6.0, 6.0)
    assert "reference" not in grades.problems


def test_a_kernel_that_exits_loses_what_it_broke_and_is_listed(graded):
    course, _, grades, _ = graded
    assert question_scores(course, "ps0", "exits") == {
        "q1-check": 2.0, "q2-check": 0.0, "q3-check": 0.0}
    assert any("kernel died" in problem for problem in grades.problems["exits"])


def test_a_loop_that_ignores_the_interrupt_loses_only_its_question(graded):
    course, _, grades, _ = graded
    assert question_scores(course, "ps0", "deaf") == {
        "q1-check": 2.0, "q2-check": 3.0, "q3-check": 0.0}
    assert any("did not answer" in problem for problem in grades.problems["deaf"])


def test_an_input_transformer_forges_no_marks_and_is_flagged(graded):
    _, _, grades, _ = graded
    assert grades["forger"] == (0.0, 6.0)
    problems = " ".join(grades.problems["forger"])
    assert "no proof that the test ran" in problems
    assert "IPython's transformers" in problems


def test_rebinding_the_check_functions_forges_no_marks(graded):
    course, _, grades, _ = graded
    assert question_scores(course, "ps0", "rebinder")["q1-check"] == 0.0
    assert any(problem.startswith("q1-check") for problem in grades.problems["rebinder"])


def test_a_patched_builtin_voids_the_tests_after_it_only(graded):
    course, _, grades, _ = graded
    assert question_scores(course, "ps0", "patcher") == {
        "q1-check": 2.0, "q2-check": 3.0, "q3-check": 0.0}
    assert any("builtins" in problem for problem in grades.problems["patcher"])


def test_flooded_output_is_capped_and_listed_and_a_failure_after_it_still_counts(graded):
    course, _, grades, _ = graded
    assert question_scores(course, "ps0", "flooder") == {
        "q1-check": 2.0, "q2-check": 3.0, "q3-check": 0.0}
    assert any("output over the limit" in problem for problem in grades.problems["flooder"])
    notebook = course.root / "autograded" / "flooder" / "ps0" / "ps0.ipynb"
    assert notebook.stat().st_size < 1_000_000


def test_a_bad_student_folder_name_is_listed_and_stops_nobody(graded):
    _, _, grades, _ = graded
    assert "invalid student id" in " ".join(grades.problems["evil\n"])
    with pytest.raises(CourseError):
        check_id("student", "student\n")
    assert student_id("student\n") == "student"
    assert student_id("a\nb") == "a_b"


def test_nothing_the_submission_started_is_still_running(graded):
    leftovers = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if entry.name.isdigit() and SLEEP.encode() in (entry / "cmdline").read_bytes():
                leftovers.append(entry.name)
    assert leftovers == []


@pytest.mark.skipif(confinement() != "bubblewrap",
                    reason="bubblewrap (Debian: bubblewrap) is not installed or not usable")
def test_under_bubblewrap_the_submission_cannot_touch_files_network_or_gradebook(graded):
    course, _, grades, canary = graded
    assert canary.exists()
    assert grades["escaper"] == (6.0, 6.0)
    nb = nbformat.read(course.root / "autograded" / "escaper" / "ps0" / "ps0.ipynb",
                       as_version=4)
    printed = "".join(output.get("text", "") for cell in nb.cells
                      for output in cell.get("outputs", []))
    assert "KEPT outside" in printed
    assert "NETWORK unreachable" in printed
    assert "GRADEBOOK hidden" in printed
    assert "WORKER memory denied" in printed


def test_the_confinement_in_force_is_recorded(graded):
    course, _, _, _ = graded
    nb = nbformat.read(course.root / "autograded" / "reference" / "ps0" / "ps0.ipynb",
                       as_version=4)
    assert nb.metadata["vlab"]["grading"]["confinement"] == confinement()
    assert os.environ.get("VLAB_CONFINED_RUN") is None


def test_without_bubblewrap_the_limits_and_the_clean_up_still_hold(tmp_path, monkeypatch):
    from vlab.course import sandbox

    monkeypatch.setattr(sandbox, "confinement", lambda: "rlimits")
    root = tmp_path / "exercises"
    shutil.copytree(FIXTURE_SOURCE, root / "source")
    shutil.copy(ROOT / "exercises" / "nbgrader_config.py", root)
    course = Course.open(root, Execute={"timeout": 10})
    release(course, "ps0")
    reference = nbformat.read(root / "source" / "ps0" / "ps0.ipynb", as_version=4)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    nbformat.write(reference, inbox / "reference.ipynb")
    _answer(reference, "q2-answer", "import os, subprocess\n"
            "subprocess.Popen(['sleep', '779.25'], start_new_session=True)\nos._exit(1)")
    nbformat.write(reference, inbox / "exits.ipynb")
    collect(course, inbox, "ps0")
    grades = autograde(course, "ps0")
    assert grades == {"reference": (6.0, 6.0), "exits": (2.0, 6.0)}
    assert any("kernel died" in problem for problem in grades.problems["exits"])
    nb = nbformat.read(root / "autograded" / "exits" / "ps0" / "ps0.ipynb", as_version=4)
    assert nb.metadata["vlab"]["grading"]["confinement"] == "rlimits"
    leftovers = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if entry.name.isdigit() and b"779.25" in (entry / "cmdline").read_bytes():
                leftovers.append(entry.name)
    assert leftovers == []


def test_a_notebook_past_its_time_limit_keeps_what_it_finished(tmp_path):
    root = tmp_path / "exercises"
    shutil.copytree(FIXTURE_SOURCE, root / "source")
    shutil.copy(ROOT / "exercises" / "nbgrader_config.py", root)
    course = Course.open(root, Execute={"timeout": 120},
                         ConfinedExecute={"notebook_timeout": 25.0})
    release(course, "ps0")
    nb = nbformat.read(root / "source" / "ps0" / "ps0.ipynb", as_version=4)
    _answer(nb, "q3-answer", "import time\nwhile True:\n    time.sleep(1)")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    nbformat.write(nb, inbox / "slow.ipynb")
    collect(course, inbox, "ps0")
    grades = autograde(course, "ps0")
    assert question_scores(course, "ps0", "slow") == {
        "q1-check": 2.0, "q2-check": 3.0, "q3-check": 0.0}
    assert grades.problems["slow"] == ["the notebook ran past its time limit"]
