"""``vlab hll``: exit statuses 0/1/2/3, compile to a directory, run it, javap it."""

from __future__ import annotations

import pytest

from vlab.cli import main


@pytest.fixture()
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(dir_, name, text):
    path = dir_ / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("flags", [[], ["--no-jit"]])
def test_run_prints_and_exits_zero(workdir, capsys, flags):
    src = write(workdir, "hello.py", "def sq(x):\n    return x * x\nfor i in range(4):\n"
                                     "    print(sq(i))\n")
    assert main(["hll", "run", src, *flags]) == 0
    assert capsys.readouterr().out == "0\n1\n4\n9\n"


def test_uncaught_exception_exits_one_with_guest_trace(workdir, capsys):
    src = write(workdir, "boom.py", "def f(x):\n    return 1 // x\nprint(f(0))\n")
    assert main(["hll", "run", src]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last):" in err
    assert 'File "boom.py", line 2, in f' in err and "return 1 // x" in err
    assert err.strip().endswith("ZeroDivisionError: integer division or modulo by zero")
    assert "vlab/application" not in err  # never a host traceback


def test_compile_error_exits_two_with_position(workdir, capsys):
    src = write(workdir, "bad.py", "x = 1\ny = {2}\n")
    assert main(["hll", "run", src]) == 2
    assert "bad.py:2:5: A set is outside the language subset" in capsys.readouterr().err


def test_every_compile_error_is_listed_in_line_order(workdir, capsys):
    src = write(workdir, "two.py", "s = 'x'\nprint(s.title())\nz = 2 << 3\n")
    assert main(["hll", "run", src]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("compile error: two.py:2:7: No method 'title'")
    assert lines[1].startswith("compile error: two.py:3:5: The shift operator")
    assert lines[2] == "2 compile errors"


def test_budget_exits_three(workdir, capsys):
    src = write(workdir, "spin.py", "while True:\n    pass\n")
    assert main(["hll", "run", src, "--max-instructions", "5000"]) == 3
    assert "budget" in capsys.readouterr().err


def test_compile_then_run_directory_then_javap(workdir, capsys):
    src = write(workdir, "prog.py", "class A:\n    def v(self):\n        return 7\n"
                                    "print(A().v())\n")
    out = workdir / "classes"
    assert main(["hll", "compile", src, "-o", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["A.vlc", "prog.vlc"]
    capsys.readouterr()
    assert main(["hll", "run", str(out), "--stats", "--heap", "100000",
                 "--collector", "generational"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "7\n" and "instructions" in captured.err
    assert "gc_minor_collections" in captured.err
    assert main(["hll", "javap", str(out / "A.vlc")]) == 0
    assert "class A extends object" in capsys.readouterr().out


def test_tampered_class_file_exits_two(workdir, capsys):
    src = write(workdir, "prog.py", "print(1)\n")
    out = workdir / "classes"
    main(["hll", "compile", src, "-o", str(out)])
    data = bytearray((out / "prog.vlc").read_bytes())
    data[4:6] = b"\x00\x07"
    (out / "prog.vlc").write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["hll", "run", str(out), "--main", "prog"]) == 2
    assert "unsupported class-file version 7" in capsys.readouterr().err
    assert main(["hll", "javap", str(out / "prog.vlc")]) == 2


def test_file_access_needs_allow_flags(workdir, capsys):
    (workdir / "data.txt").write_text("secret")
    src = write(workdir, "cat.py", "print(read_text('/data.txt'))\n")
    assert main(["hll", "run", src]) == 1
    assert "PermissionError" in capsys.readouterr().err
    assert main(["hll", "run", src, "--allow-read", "/"]) == 0
    assert capsys.readouterr().out == "secret\n"


def test_missing_program_exits_two(workdir, capsys):
    assert main(["hll", "run", "nope.py"]) == 2
    assert "no such file" in capsys.readouterr().err
    (workdir / "latin.py").write_bytes(b"print('\xe9')\n")
    assert main(["hll", "run", "latin.py"]) == 2
    assert "compile error" in capsys.readouterr().err
