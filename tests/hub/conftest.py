"""A local course hub per test module, stopped with everything it started, even on failure.

Everything lives in one temporary directory (the hub's state: database, homes,
exchange, and the instructor's copy of the course), so every process the hub
started has its working directory there and :meth:`LocalHub.stop` finds it.
"""

from __future__ import annotations

import secrets
import shutil

import pytest
from hub_client import (
    ASSIGNMENT,
    INSTRUCTOR,
    ROOT,
    STUDENTS,
    ClassOnHub,
    LocalHub,
    free_port_triple,
)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    state = tmp_path_factory.mktemp("hub-state")
    course_root = state / "instructor-files" / "exercises"
    (course_root / "source").mkdir(parents=True)
    shutil.copy(ROOT / "exercises" / "nbgrader_config.py", course_root)
    shutil.copytree(ROOT / "exercises" / "source" / ASSIGNMENT,
                    course_root / "source" / ASSIGNMENT)
    hub = LocalHub(state, free_port_triple(), course_root=course_root,
                   instructors=(INSTRUCTOR,), students=STUDENTS,
                   service_token=secrets.token_hex(16))
    try:
        hub.start()
        yield ClassOnHub(hub)
    finally:
        hub.stop()
