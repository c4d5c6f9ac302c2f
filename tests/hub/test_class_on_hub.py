"""A whole class on the local JupyterHub, end to end, with nbgrader's exchange.

One instructor and two students, driven through JupyterHub's REST API and their
own servers (nbgrader's assignment list and formgrader handlers, Jupyter's
contents API), as their browsers would:

1. the instructor generates and releases ``ch01``;
2. a student asking for an assignment that is not released gets nothing and,
   from nbgrader's own command, the message "Assignment not found";
3. both students fetch ``ch01``; alice submits the blank notebook, then a
   correct one (two submissions); bob first submits a folder whose notebook is
   renamed (refused: the submission must hold the released notebook), then one
   correct answer of four, after the instructor has set the due date to a time
   before his submission (late);
4. the hub is restarted (all servers stop; their files stay on disk);
5. the instructor collects (the newest submission of each student), autogrades
   with the course's nbgrader configuration, and exports the grades.

nbgrader's documented behaviour is what is asserted: every submission stays in
the exchange (``inbound/<student>+<assignment>+<timestamp>+<random>``), collect
takes the newest, a late submission is graded and its lateness recorded (no
penalty unless the course configures a ``LateSubmissionPlugin``).
"""

from __future__ import annotations

import copy
import csv
import datetime
import json
import sys
import time
from pathlib import Path

import pytest
from hub_client import ASSIGNMENT, INSTRUCTOR, ROOT, STUDENTS, ClassOnHub
from nbgrader.api import Gradebook

pytestmark = pytest.mark.timeout(300)

SOURCE = json.loads((ROOT / "exercises" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
                    .read_text(encoding="utf-8"))
FULL_MARKS = 11.0  # ch01: checks worth 3 + 3 + 3 + 2 points
FIRST_QUESTION = 3.0
COURSE = {"course_id": "vlab", "assignment_id": ASSIGNMENT}


def grade_id(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def answered(released: dict, answers: set[str]) -> dict:
    """The released notebook with the reference solution pasted into the ``answers`` cells."""
    solutions = {grade_id(cell): cell["source"] for cell in SOURCE["cells"]}
    notebook = copy.deepcopy(released)
    for cell in notebook["cells"]:
        if grade_id(cell) in answers:
            cell["source"] = solutions[grade_id(cell)]
    return notebook


def answer_cells() -> set[str]:
    return {grade_id(cell) for cell in SOURCE["cells"]
            if cell.get("metadata", {}).get("nbgrader", {}).get("solution")}


def statuses(listing: dict) -> dict[str, str]:
    assert listing["success"], listing
    return {entry["assignment_id"]: entry["status"] for entry in listing["value"]}


def instructor_releases(course: ClassOnHub) -> None:
    for step in ("assign", "release"):
        reply = course.server(INSTRUCTOR, "POST", f"/formgrader/api/assignment/{ASSIGNMENT}/{step}",
                              {})
        assert reply["success"], f"{reply.get('log')}\n{reply.get('error')}"
    outbound = course.hub.exchange / "vlab" / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    released = json.loads(outbound.read_text(encoding="utf-8"))
    text = json.dumps(released)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text


def unreleased_fetch_is_refused(course: ClassOnHub) -> None:
    listing = course.server("alice", "POST", "/assignments/fetch",
                            {"course_id": "vlab", "assignment_id": "ch09"})
    assert "ch09" not in statuses(listing)
    assert not (course.home("alice") / "ch09").exists()
    command = course.command_in_server("alice", str(Path(sys.executable).parent / "nbgrader"),
                                       "fetch_assignment", "ch09", "--course", "vlab")
    assert command.returncode != 0
    assert "Assignment not found" in command.stderr
    assert "Did you mean" in command.stderr and ASSIGNMENT in command.stderr


def students_fetch(course: ClassOnHub) -> dict:
    for student in STUDENTS:
        assert statuses(course.server(student, "GET", "/assignments?course_id=vlab")) == {
            ASSIGNMENT: "released"}
        assert statuses(course.server(student, "POST", "/assignments/fetch", COURSE)) == {
            ASSIGNMENT: "fetched"}
    return course.read_notebook("alice", f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb")


def submit(course: ClassOnHub, student: str) -> dict:
    return course.server(student, "POST", "/assignments/submit", COURSE)


def alice_submits_twice(course: ClassOnHub, released: dict) -> None:
    assert submit(course, "alice")["success"]  # the blank notebook, by mistake
    course.write_notebook("alice", f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
                          answered(released, answer_cells()))
    assert submit(course, "alice")["success"]


def set_due_date_to_now(course: ClassOnHub) -> None:
    """Due at the next whole second (nbgrader's due dates have seconds); wait until then."""
    now = datetime.datetime.now(datetime.UTC)
    due = now.replace(microsecond=0) + datetime.timedelta(seconds=1)
    reply = course.server(INSTRUCTOR, "PUT", f"/formgrader/api/assignment/{ASSIGNMENT}",
                          {"duedate_notimezone": due.strftime("%Y-%m-%d %H:%M:%S"),
                           "duedate_timezone": "+0000"})
    assert reply["duedate"] is not None
    time.sleep(max(0.0, (due - datetime.datetime.now(datetime.UTC)).total_seconds()) + 0.2)


def bob_renames_then_submits_late(course: ClassOnHub, released: dict) -> None:
    notebook = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    course.server("bob", "PATCH", f"/api/contents/{notebook}", {"path": f"{ASSIGNMENT}/mine.ipynb"})
    refused = submit(course, "bob")
    assert refused["success"] is False
    assert "ch01.ipynb" in refused["value"] and "mine.ipynb" in refused["value"]
    course.server("bob", "PATCH", f"/api/contents/{ASSIGNMENT}/mine.ipynb", {"path": notebook})
    course.write_notebook("bob", notebook, answered(released, {"ex1-answer"}))
    assert submit(course, "bob")["success"]


def inbound(course: ClassOnHub) -> list[str]:
    """The submissions in the exchange, as ``student+assignment`` (one per submission)."""
    folder = course.hub.exchange / "vlab" / "inbound"
    return sorted("+".join(entry.name.split("+")[:2]) for entry in folder.iterdir())


def restart_hub(course: ClassOnHub) -> None:
    course.hub.stop()
    course.hub.start()
    assert all(not user["servers"] for user in course.api("GET", "/users"))
    course.start_servers(INSTRUCTOR)


def instructor_collects_and_grades(course: ClassOnHub) -> dict[str, dict]:
    reply = course.server(INSTRUCTOR, "POST",
                          f"/formgrader/api/assignment/{ASSIGNMENT}/collect", {})
    assert reply["success"], f"{reply.get('log')}\n{reply.get('error')}"
    for student in STUDENTS:
        reply = course.server(
            INSTRUCTOR, "POST", f"/formgrader/api/submission/{ASSIGNMENT}/{student}/autograde", {})
        assert reply["success"], f"{reply.get('log')}\n{reply.get('error')}"
    submissions = course.server(INSTRUCTOR, "GET", f"/formgrader/api/submissions/{ASSIGNMENT}")
    return {entry["student"]: entry for entry in submissions}


def seconds_late(course: ClassOnHub) -> dict[str, float]:
    """How late each collected submission was, from the course's gradebook."""
    database = f"sqlite:///{course.hub.course_root / 'gradebook.db'}"
    with Gradebook(database, course_id="vlab") as gradebook:
        return {student: gradebook.find_submission(ASSIGNMENT, student).total_seconds_late
                for student in STUDENTS}


def exported_grades(course: ClassOnHub) -> dict[str, tuple[float, float]]:
    grades = course.hub.course_root / "grades.csv"
    command = course.command_in_server(
        INSTRUCTOR, str(Path(sys.executable).parent / "vlab"), "course", "--course",
        str(course.hub.course_root), "export", "-o", str(grades))
    assert command.returncode == 0, command.stderr
    with grades.open(newline="") as handle:
        return {row["student_id"]: (float(row["score"]), float(row["max_score"]))
                for row in csv.DictReader(handle) if row["assignment"] == ASSIGNMENT}


def test_a_class_on_the_hub(course):
    course.start_servers(INSTRUCTOR, *STUDENTS)
    assert course.listening_addresses() == {"127.0.0.1"}  # hub, proxy and servers: loopback only
    instructor_releases(course)
    unreleased_fetch_is_refused(course)
    released = students_fetch(course)
    alice_submits_twice(course, released)
    set_due_date_to_now(course)
    bob_renames_then_submits_late(course, released)
    submitted = inbound(course)
    assert submitted == ["alice+ch01", "alice+ch01", "bob+ch01"]

    restart_hub(course)
    assert inbound(course) == submitted  # nothing lost across the restart

    graded = instructor_collects_and_grades(course)
    assert {student: (graded[student]["score"], graded[student]["max_score"])
            for student in STUDENTS} == {"alice": (FULL_MARKS, FULL_MARKS),
                                         "bob": (FIRST_QUESTION, FULL_MARKS)}
    late = seconds_late(course)
    assert late["alice"] == 0 and 0 < late["bob"] < 60
    assert exported_grades(course) == {"alice": (FULL_MARKS, FULL_MARKS),
                                       "bob": (FIRST_QUESTION, FULL_MARKS)}
    assert inbound(course) == submitted  # collecting copies; the exchange keeps every one
