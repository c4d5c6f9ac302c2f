"""`make lab`: JupyterLab at book/ with the chapters and the student's exercises, widgets
working without any build step."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

from book_site import ROOT

EXTENSION = Path(sys.prefix) / "share/jupyter/labextensions/@jupyter-widgets/jupyterlab-manager"


def test_widget_manager_is_a_prebuilt_lab_extension_in_the_venv():
    package = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    assert package["jupyterlab"]["_build"]["load"]  # prebuilt: JupyterLab loads it as is


def test_make_lab_opens_book_after_releasing_and_copying_the_exercises():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    target = re.search(r"^lab: (.*)\n((?:\t.*\n)+)", makefile, re.M)
    assert "release" in target.group(1).split()
    recipe = target.group(2).splitlines()
    assert recipe[0].endswith("tools/lab_workspace.py")
    # JupyterLab runs in book/ (chapters/ and my-exercises/ both), and starts there: nbgrader's
    # course directory (the working directory) must not lie above the notebook root.
    assert recipe[-1].split()[:3] == ["cd", "book", "&&"] and recipe[-1].split()[-1] == "."
    assert (ROOT / "book" / "chapters").is_dir()


def load_workspace_tool():
    spec = importlib.util.spec_from_file_location("lab_workspace",
                                                  ROOT / "tools" / "lab_workspace.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_workspace_gets_missing_exercises_and_keeps_a_student_s_answers(tmp_path):
    tool = load_workspace_tool()
    release, workspace = tmp_path / "release", tmp_path / "book" / "my-exercises"
    for name in ("ch01", "ch02"):
        (release / name).mkdir(parents=True)
        (release / name / f"{name}.ipynb").write_text(f"released {name}")
    (release / "stray").mkdir()                          # no stray/stray.ipynb: skipped
    added = tool.fill_workspace(release, workspace)
    assert [p.name for p in added] == ["ch01.ipynb", "ch02.ipynb"]
    (workspace / "ch01.ipynb").write_text("my answers")
    (release / "ch02" / "ch02.ipynb").write_text("released again")
    assert tool.fill_workspace(release, workspace) == []
    assert (workspace / "ch01.ipynb").read_text() == "my answers"
    assert (workspace / "ch02.ipynb").read_text() == "released ch02"
    assert (workspace / ".gitignore").read_text().endswith("*\n")
