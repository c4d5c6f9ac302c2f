"""The one path normaliser: canonical paths, and every way out of the root refused."""

import os

import pytest

from vlab.os.fs.errors import PathEscapeError
from vlab.os.fs.paths import NAME_MAX, PATH_MAX, ancestors, entry_path, host_path, normalize


@pytest.mark.parametrize("path, cwd, expected", [
    ("/a/b", "/", "/a/b"),
    ("/a//b/./c/", "/", "/a/b/c"),
    ("/a/x/../b", "/", "/a/b"),
    ("notes.txt", "/home/student", "/home/student/notes.txt"),
    ("../bob/x", "/home/student", "/home/bob/x"),
    (".", "/apps/hello", "/apps/hello"),
    ("/", "/x", "/"),
])
def test_normalize(path, cwd, expected):
    assert normalize(path, cwd) == expected


@pytest.mark.parametrize("path, cwd, reason", [
    ("/..", "/", "climbs above the root"),
    ("../../../etc/passwd", "/apps/hello", "climbs above the root"),
    ("a/../../..", "/x", "climbs above the root"),
    ("/etc/passwd\0.txt", "/", "NUL byte"),
    ("C:/Windows", "/", "host drive"),
    ("dir\\file", "/", "backslash"),
    ("", "/", "empty path"),
    (42, "/", "must be a string"),
    ("/" + "a" * (NAME_MAX + 1), "/", "NAME_MAX"),
    ("/a" * (PATH_MAX // 2), "/", "PATH_MAX"),
    ("x", "relative/cwd", "absolute"),
])
def test_escapes_and_malformed_paths_are_refused_with_the_reason(path, cwd, reason):
    with pytest.raises(PathEscapeError, match=reason):
        normalize(path, cwd)


def test_the_longest_accepted_name_and_path():
    assert normalize("/" + "a" * NAME_MAX) == "/" + "a" * NAME_MAX
    long_path = "/a" * ((PATH_MAX - 1) // 2)
    assert normalize(long_path) == long_path


@pytest.mark.parametrize("name", ["relative", "/a/../b", "/a/", "/", "/a//b"])
def test_stored_entries_must_be_canonical(name):
    with pytest.raises(PathEscapeError):
        entry_path(name)


def test_ancestors():
    assert ancestors("/a/b/c") == ["/a/b", "/a", "/"]
    assert ancestors("/") == []


def test_host_path_stays_in_the_root(tmp_path):
    root = tmp_path / "root"
    (root / "data").mkdir(parents=True)
    assert host_path(root, "/data/x") == os.path.join(os.path.realpath(root), "data", "x")
    assert host_path(root, "/") == os.path.realpath(root)
    with pytest.raises(PathEscapeError, match="climbs above the root"):
        host_path(root, "/../outside")


def test_a_symlink_leaving_the_root_is_refused(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "secret").write_text("s")
    (root / "inside").write_text("i")
    (root / "out").symlink_to(tmp_path)
    (root / "ok").symlink_to(root / "inside")
    with pytest.raises(PathEscapeError, match="symbolic link"):
        host_path(root, "/out/secret")
    assert host_path(root, "/ok") == os.path.realpath(root / "inside")
