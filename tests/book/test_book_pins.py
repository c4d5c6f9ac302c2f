"""The widget JavaScript pins: what `npm ci` installs, and what the repo must not hold."""

from __future__ import annotations

import json
import subprocess

import ipywidgets
import pytest
from book_site import ROOT

LOCK = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
PACKAGE = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))


def test_lock_file_names_no_download_location():
    """npm resolves each pinned name@version (checked by integrity) from its registry."""
    resolved = [name for name, entry in LOCK["packages"].items() if "resolved" in entry]
    assert resolved == []
    assert all("integrity" in entry for name, entry in LOCK["packages"].items() if name)


def test_html_manager_matches_the_installed_ipywidgets():
    """ipywidgets declares the html-manager range it speaks to (``^1.0.1`` for 8.1)."""
    wanted = ipywidgets._version.__html_manager_version__
    pinned = PACKAGE["dependencies"]["@jupyter-widgets/html-manager"]
    assert wanted.startswith("^")
    lowest = tuple(int(part) for part in wanted[1:].split("."))
    version = tuple(int(part) for part in pinned.split("."))
    assert version[0] == lowest[0] and version >= lowest  # semver caret range
    locked = LOCK["packages"]["node_modules/@jupyter-widgets/html-manager"]["version"]
    assert locked == pinned


def test_no_bundle_or_node_modules_is_committed():
    listing = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if listing.returncode != 0:
        pytest.skip("not a git checkout")
    tracked = listing.stdout.splitlines()
    bundles = (".min.js", "embed-amd.js", "require.js")
    bad = [p for p in tracked if p.startswith("node_modules/") or p.endswith(bundles)]
    assert bad == []
