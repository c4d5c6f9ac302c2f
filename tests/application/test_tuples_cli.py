"""``vlab hll run DIR`` on a directory of old class files prints the rejection (the
version message that says to compile again), as ``--main`` does, instead of "no single
module class" (issue 16 follow-up: ``hll_cmd._find_module`` no longer swallows
``ClassFormatError``)."""

from __future__ import annotations

import pytest

from vlab.cli import main


@pytest.fixture()
def classes(tmp_path, monkeypatch, capsys):
    """A compiled program's class directory, and a helper that sets a file's version."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "prog.py").write_text("class P:\n    pass\nprint((1, 2).count(2))\n")
    assert main(["hll", "compile", "prog.py", "-o", "out"]) == 0
    capsys.readouterr()
    out = tmp_path / "out"

    def set_version(name: str, major: int) -> None:
        path = out / name
        data = bytearray(path.read_bytes())
        data[4:6] = major.to_bytes(2, "big")
        path.write_bytes(bytes(data))

    return out, set_version


def test_a_current_class_directory_runs(classes, capsys):
    out, _ = classes
    assert main(["hll", "run", str(out)]) == 0
    assert capsys.readouterr().out == "1\n"


@pytest.mark.parametrize("old", ["prog.vlc", "P.vlc"])
def test_an_old_class_file_is_rejected_with_the_version_message(classes, capsys, old):
    out, set_version = classes
    set_version(old, 1)
    assert main(["hll", "run", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err
    assert err.startswith(f"rejected: {old}: class-file version 1.0 is older than this VM's")
    assert "compile the source again" in err
    assert "no single module class" not in err and "Traceback" not in err


def test_the_same_rejection_as_with_main(classes, capsys):
    out, set_version = classes
    set_version("prog.vlc", 1)
    assert main(["hll", "run", str(out), "--main", "prog"]) == 2
    with_main = capsys.readouterr().err
    assert main(["hll", "run", str(out)]) == 2
    without = capsys.readouterr().err
    reason = with_main.split("class-file version", 1)[1]
    assert "class-file version" + reason in without


def test_a_future_class_file_is_rejected_too(classes, capsys):
    out, set_version = classes
    set_version("P.vlc", 9)
    assert main(["hll", "run", str(out)]) == 2
    assert "unsupported class-file version 9.0" in capsys.readouterr().err
