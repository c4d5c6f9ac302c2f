"""Path canonicalization and the refusal of every way out of the virtual root."""

import pytest

from vlab.application.sandbox.errors import PathEscapeError
from vlab.application.sandbox.paths import ancestors, normalize, package_entry_path


@pytest.mark.parametrize("path, cwd, expected", [
    ("/a/b", "/", "/a/b"),
    ("/a//b/./c/", "/", "/a/b/c"),
    ("/a/x/../b", "/", "/a/b"),
    ("notes.txt", "/home/student", "/home/student/notes.txt"),
    ("../bob/x", "/home/student", "/home/bob/x"),
    (".", "/apps/hello", "/apps/hello"),
])
def test_normalize(path, cwd, expected):
    assert normalize(path, cwd) == expected


@pytest.mark.parametrize("path, cwd", [
    ("/..", "/"),
    ("/../etc/passwd", "/"),
    ("../../../etc/passwd", "/apps/hello"),
    ("a/../../..", "/x"),
    ("C:/Windows/system32", "/"),
    ("c:", "/"),
    ("\\\\server\\share", "/"),
    ("dir\\file", "/"),
    ("/etc/passwd\0.txt", "/"),
    ("", "/"),
    (42, "/"),
])
def test_escapes_are_refused(path, cwd):
    with pytest.raises(PathEscapeError):
        normalize(path, cwd)


def test_ancestors():
    assert ancestors("/a/b/c") == ["/a/b", "/a", "/"]
    assert ancestors("/") == []


@pytest.mark.parametrize("name", ["relative", "/a/../b", "/a/", "/", "/a//b"])
def test_package_entries_must_be_canonical(name):
    with pytest.raises(PathEscapeError):
        package_entry_path(name)
