"""Issue 16, items 11, 16 (HLL part), 18 (HLL part): ``vlab hll`` never exits 4.

Exit statuses 0-3 are promised; the attacks made it report "internal error" (4): more than
65,535 locals, globals or functions and a jump over 64 KiB (``OverflowError``), a lone
surrogate (``UnicodeEncodeError``), ``--heap 0|1|-1`` (``AttributeError``), ``javap`` on
mutated class files the reader accepts, ``/dev/zero`` as input; and an ``__init__``
returning a value was accepted.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from vlab.application.hll.classfile import write as write_class
from vlab.application.hll.compiler import compile_source
from vlab.cli import main

SOURCE = (Path(__file__).parent / "hll_corpus" / "exceptions.py").read_text()


@pytest.fixture()
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def source_file(workdir, text: str, name: str = "p.py") -> str:
    (workdir / name).write_text(text)
    return name


TOO_BIG = {
    "locals": "def f():\n" + "".join(f"    v{i} = {i}\n" for i in range(66_000)) + "f()\n",
    "globals": "".join(f"g{i} = {i}\n" for i in range(66_000)),
    "long jump": "x = 0\nwhile x < 1:\n" + "    x = x + 1\n" * 12_000,
}


@pytest.mark.parametrize("kind", sorted(TOO_BIG))
def test_sixteen_bit_limits_are_compile_errors(workdir, capsys, kind):
    assert main(["hll", "run", source_file(workdir, TOO_BIG[kind])]) == 2
    err = capsys.readouterr().err
    assert "too big for the class-file format" in err or "in 16 bits (at most 65535)" in err
    assert "internal error" not in err


def test_a_lone_surrogate_is_a_compile_error(workdir, capsys):
    assert main(["hll", "run", source_file(workdir, "print('\\udc80')\n")]) == 2
    assert "lone surrogate '\\udc80'" in capsys.readouterr().err


@pytest.mark.parametrize("heap", ["0", "1", "-1", "1023", "lots"])
def test_a_bad_heap_size_is_a_usage_error(workdir, capsys, heap):
    with pytest.raises(SystemExit) as stop:
        main(["hll", "run", "--heap", heap, source_file(workdir, "print(1)\n")])
    assert stop.value.code == 2
    assert "argument --heap" in capsys.readouterr().err


def test_init_returning_a_value_is_a_compile_error(workdir, capsys):
    src = "class A:\n    def __init__(self):\n        return 5\nA()\n"
    assert main(["hll", "run", source_file(workdir, src)]) == 2
    assert "'__init__' must not return a value" in capsys.readouterr().err
    fine = "class A:\n    def __init__(self):\n        return None\nA()\nprint('ok')\n"
    assert main(["hll", "run", source_file(workdir, fine, "q.py")]) == 0


@pytest.mark.parametrize("command", [["run"], ["compile", "-o", "out"], ["javap"]])
@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_special_files_are_refused_as_input(workdir, capsys, command, special):
    if special == "fifo":
        os.mkfifo(workdir / "fifo")  # opening it for reading would block without O_NONBLOCK
    assert main(["hll", command[0], special, *command[1:]]) == 2
    assert "is not a regular file" in capsys.readouterr().err


def test_javap_lists_mutated_class_files_without_failing(workdir, capsys):
    classes = [write_class(cf) for cf in compile_source(SOURCE, "exceptions.py")]
    rng = random.Random(16)
    statuses = []
    for n in range(300):
        data = bytearray(rng.choice(classes))
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data) - len(SOURCE.encode()))] = rng.randrange(256)
        (workdir / f"m{n}.vlc").write_bytes(bytes(data))
        statuses.append(main(["hll", "javap", f"m{n}.vlc"]))
    err = capsys.readouterr().err
    assert set(statuses) == {0, 2} and "internal error" not in err


def test_a_class_path_entry_bigger_than_a_class_file_is_rejected(workdir, capsys):
    classes = workdir / "classes"
    assert main(["hll", "compile", source_file(workdir, "print('hi')\n"), "-o", "classes"]) == 0
    with open(classes / "p.vlc", "ab") as grow:
        grow.truncate(17 * 2**20)  # sparse: costs no disk
    capsys.readouterr()
    assert main(["hll", "run", "classes", "--main", "p"]) == 2
    assert "is larger than 16777216 bytes: not a class file" in capsys.readouterr().err
