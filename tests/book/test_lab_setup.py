"""`make lab` gives JupyterLab the widget manager, so widgets work without any build step."""

from __future__ import annotations

import json
import sys
from pathlib import Path

EXTENSION = Path(sys.prefix) / "share/jupyter/labextensions/@jupyter-widgets/jupyterlab-manager"


def test_widget_manager_is_a_prebuilt_lab_extension_in_the_venv():
    package = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    assert package["jupyterlab"]["_build"]["load"]  # prebuilt: JupyterLab loads it as is

