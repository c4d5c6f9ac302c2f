"""The exercise round trip, for every assignment: author -> release -> submit -> autograde.

For each assignment under exercises/source/ (and the fixture assignment
``ps0``), in a temporary copy of the course, students submit:

* ``reference``: the source notebook itself, which must score full marks;
* ``blank``: the release untouched, which must score zero;
* ``broken``: the first answer replaced by a ``raise`` and the last one by
  ``while True: pass`` (which the per-cell time limit must cut off): it must
  lose exactly those two questions' points and keep every other question's.
  (With a single answer, two students, ``raises`` and ``loops``, do this.)

Beside them in the inbox: a corrupt notebook, which collect must skip and list
while collecting the rest, and (for the fixture assignment, to keep the test
short) a copy of the reference named ``Ana Silva.ipynb``, collected as student
``Ana_Silva``.  Then the per-question CSV of the export and every student's
feedback page (nbgrader's generate_feedback) are checked.

Scores are read from nbgrader's gradebook.  The answer a mutation replaces is
the solution region(s) of one solution cell; its question is the graded
cells that follow it up to the next solution cell (the authoring convention
in vlab/course/selfcheck.py).
"""

from __future__ import annotations

import csv
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from vlab.course import (
    Course,
    autograde,
    collect,
    export_grades,
    generate_feedback,
    release,
    scores,
)
from vlab.course.grading import question_scores

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = ROOT / "exercises"
FIXTURE_COURSE = Path(__file__).parent / "fixtures" / "course"
CELL_TIMEOUT = 8  # seconds; the grader's per-cell limit in this test (reference cells: <1 s)

pytestmark = pytest.mark.timeout(600)  # outer guard: a hung grader fails, never blocks CI

REGION = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION[ \t]*$",
                    re.MULTILINE | re.DOTALL)


def _assignments() -> list[tuple[Path, str]]:
    authored = [(EXERCISES, name) for name in Course(EXERCISES).assignments()]
    return [(FIXTURE_COURSE, "ps0"), *authored]


def _nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _answer_cells(nb) -> list[int]:
    return [index for index, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and _nbgrader(cell).get("solution")
            and REGION.search(cell.source)]


def _question(nb, answer: int) -> dict[str, float]:
    """The graded cells that follow answer cell ``answer``: ``{grade_id: points}``."""
    owned = {}
    for cell in nb.cells[answer + 1:]:
        if _nbgrader(cell).get("solution"):
            break
        if _nbgrader(cell).get("grade"):
            owned[_nbgrader(cell)["grade_id"]] = float(_nbgrader(cell)["points"])
    return owned


def _points(nb) -> dict[str, float]:
    return {_nbgrader(cell)["grade_id"]: float(_nbgrader(cell)["points"])
            for cell in nb.cells if _nbgrader(cell).get("grade")}


def _with_answer(nb, answer: int, statement: str):
    """A copy of ``nb`` whose answer cell ``answer`` runs ``statement`` in place of the solution."""
    mutated = nbformat.from_dict(nb)
    cell = mutated.cells[answer]
    cell.source = REGION.sub(lambda match: match.group(1) + statement, cell.source)
    return mutated


@dataclass
class GradedAssignment:
    course: Course
    assignment: str
    source: nbformat.NotebookNode
    released: nbformat.NotebookNode
    broken: dict[str, dict[str, float]]  # student -> the questions their answers broke
    collection: object                   # what collect reported

    def total(self) -> float:
        return sum(_points(self.source).values())


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    """One temporary course holding every assignment (one gradebook set-up for all)."""
    root = tmp_path_factory.mktemp("course")
    for origin, assignment in _assignments():
        shutil.copytree(origin / "source" / assignment, root / "source" / assignment)
    shutil.copy(EXERCISES / "nbgrader_config.py", root)
    return Course.open(root, Execute={"timeout": CELL_TIMEOUT})


def _broken_submissions(source) -> dict[str, tuple[nbformat.NotebookNode, list[int]]]:
    """Students whose first answer raises and whose last answer loops: ``{student: (nb, answers)}``.

    One student does both when the two answers differ (one kernel fewer to start).
    """
    answers = _answer_cells(source)
    assert answers, "the assignment has no solution regions"
    first, last = answers[0], answers[-1]
    raises, loops = 'raise RuntimeError("a bug in the answer")', "while True: pass"
    if first == last:
        return {"raises": (_with_answer(source, first, raises), [first]),
                "loops": (_with_answer(source, last, loops), [last])}
    both = _with_answer(_with_answer(source, first, raises), last, loops)
    return {"broken": (both, [first, last])}


@pytest.fixture(scope="module", params=[name for _, name in _assignments()])
def graded(request, course) -> GradedAssignment:
    assignment = request.param
    release(course, assignment)
    source = nbformat.read(course.source / assignment / f"{assignment}.ipynb", as_version=4)
    released = nbformat.read(course.root / "release" / assignment / f"{assignment}.ipynb",
                             as_version=4)
    broken = _broken_submissions(source)
    submissions = {"reference": source, "blank": released}
    submissions.update({student: nb for student, (nb, _) in broken.items()})
    inbox = course.root.parent / f"inbox-{assignment}"
    inbox.mkdir()
    if assignment == "ps0":
        submissions["Ana Silva"] = source
    for student, nb in submissions.items():
        nbformat.write(nb, inbox / f"{student}.ipynb")
    (inbox / "corrupt.ipynb").write_text('{"cells": [')      # cut off mid-upload
    collection = collect(course, inbox, assignment)
    autograde(course, assignment)
    questions = {student: {grade_id: points for answer in answers
                           for grade_id, points in _question(source, answer).items()}
                 for student, (_, answers) in broken.items()}
    return GradedAssignment(course, assignment, source, released, questions, collection)


def test_collect_skips_and_lists_a_corrupt_notebook_and_takes_the_rest(graded):
    [(path, reason)] = graded.collection.skipped
    assert path.name == "corrupt.ipynb" and "not a readable notebook" in reason
    assert {"reference", "blank"} <= set(graded.collection.collected)
    assert "corrupt" not in scores(graded.course, graded.assignment)


def test_a_name_with_spaces_is_collected_under_a_normalised_id(graded):
    if graded.assignment != "ps0":
        pytest.skip("checked on the fixture assignment only (one more kernel per assignment)")
    assert graded.collection.renamed == {"Ana Silva": "Ana_Silva"}
    assert scores(graded.course, graded.assignment)["Ana_Silva"] == (graded.total(),) * 2


def test_export_writes_totals_and_per_question_scores_with_unix_line_endings(graded, tmp_path):
    totals_csv, questions_csv = tmp_path / "grades.csv", tmp_path / "grades-questions.csv"
    export_grades(graded.course, totals_csv)
    for path in (totals_csv, questions_csv):
        assert b"\r" not in path.read_bytes()
    rows = list(csv.DictReader(questions_csv.open(newline="")))
    reference = {row["question"]: (float(row["score"]), float(row["max_score"]))
                 for row in rows
                 if (row["assignment"], row["student_id"]) == (graded.assignment, "reference")}
    assert reference == {grade_id: (points, points)
                         for grade_id, points in _points(graded.source).items()}
    blank = [float(row["score"]) for row in rows
             if (row["assignment"], row["student_id"]) == (graded.assignment, "blank")]
    assert blank and not any(blank)
    totals = {(row["assignment"], row["student_id"]): float(row["score"])
              for row in csv.DictReader(totals_csv.open(newline=""))}
    assert totals[(graded.assignment, "reference")] == graded.total()


def test_feedback_is_one_page_per_student_with_the_verdicts(graded):
    pages = generate_feedback(graded.course, graded.assignment)
    assert set(pages) == set(scores(graded.course, graded.assignment))
    for page in pages.values():
        assert page.is_file()
    blank = pages["blank"].read_text(encoding="utf-8")
    assert "not answered yet" in blank                       # the self-check's message
    assert "selfcheck.py" not in blank                       # not a traceback through it


def test_reference_solution_scores_full_marks(graded):
    score, max_score = scores(graded.course, graded.assignment)["reference"]
    assert max_score == graded.total() > 0
    assert score == max_score, question_scores(graded.course, graded.assignment, "reference")


def test_blank_release_scores_zero(graded):
    assert scores(graded.course, graded.assignment)["blank"] == (0.0, graded.total())


def test_broken_answers_lose_only_their_questions(graded):
    for student, broken in graded.broken.items():
        assert broken, f"no graded cell follows an answer the '{student}' student broke"
        expected = {grade_id: 0.0 if grade_id in broken else points
                    for grade_id, points in _points(graded.source).items()}
        assert question_scores(graded.course, graded.assignment, student) == expected, student


def test_endless_answer_was_cut_off_by_the_cell_timeout(graded):
    student = "loops" if "loops" in graded.broken else "broken"
    autograded = (graded.course.root / "autograded" / student / graded.assignment
                  / f"{graded.assignment}.ipynb")
    outputs = [output for cell in nbformat.read(autograded, as_version=4).cells
               for output in cell.get("outputs", [])]
    assert any(output.get("ename") in ("CellTimeoutError", "KeyboardInterrupt")
               for output in outputs)


def test_release_has_no_solutions_and_no_hidden_tests(graded):
    text = nbformat.writes(graded.released)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    released = {_nbgrader(cell).get("grade_id"): cell.source for cell in graded.released.cells}
    for cell in graded.source.cells:
        grade_id = _nbgrader(cell).get("grade_id")
        for secret in _secret_lines(cell.source):
            assert secret not in released[grade_id].splitlines(), (grade_id, secret)


def _secret_lines(source: str) -> set[str]:
    """Lines only inside solution regions or hidden-test blocks (not also outside them)."""
    blocks = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(.*?)### END \1", re.DOTALL)
    inside = {line for match in blocks.finditer(source) for line in match.group(2).splitlines()}
    outside = set(blocks.sub("", source).splitlines())
    return {line for line in inside - outside if line.strip()}
