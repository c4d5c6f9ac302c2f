"""The compiler: the subset boundary, class-file round trips and the disassembler."""

from __future__ import annotations

import pytest

from vlab.application.hll.classfile import read, write
from vlab.application.hll.compiler import compile_source
from vlab.application.hll.errors import ClassFormatError, CompileError
from vlab.application.hll.javap import disassemble

OUTSIDE = {
    "x = 1.5": (1, 5, "float constant"),
    "x = 3 / 2": (1, 5, "true division"),
    "f = lambda *a: 1": (1, 5, "*args"),
    "xs = {i for i in range(3)}": (1, 6, "set comprehension"),
    "import os": (1, 1, "import"),
    "def f(*args):\n    pass": (1, 1, "*args"),
    "print(len([1], key=2))": (1, 7, "keyword arguments"),
    "def f():\n    def g():\n        pass": (2, 5, "nested function"),
    "x = {1, 2}": (1, 5, "a set"),
    "with x:\n    pass": (1, 1, "with statement"),
    "x = 2 << 8": (1, 5, "'<<'"),
    "f = lambda x: x\ndef g(k):\n    return f(lambda y: y[k])": (3, 26, "closure"),
    "class A(B, C):\n    pass": (1, 1, "multiple inheritance"),
    "class A:\n    x = 1": (1, 1, "class attribute"),
    "while True:\n    pass\nelse:\n    pass": (1, 1, "loop 'else'"),
    "print(f'{3!a}')": (1, 7, "!a conversion"),
    "xs = sorted([1], cmp=2)": (1, 6, "keyword argument"),
    "x = y.__dict__": (1, 5, "reserved attribute"),
    "nosuch(1)": (1, 1, "unknown function 'nosuch'"),
    "x = (": (1, 5, "syntax error"),
}


@pytest.mark.parametrize("source", OUTSIDE, ids=list(OUTSIDE))
def test_outside_the_subset_is_a_compile_error_with_position(source):
    line, col, what = OUTSIDE[source]
    with pytest.raises(CompileError) as info:
        compile_source(source, "s.py")
    assert what.lower() in str(info.value).lower()
    assert (info.value.line, info.value.col) == (line, col)
    assert str(info.value).startswith(f"s.py:{line}:{col}:")
    reason = info.value.reason
    assert reason[0].isupper() or reason[0] in "'*", reason   # a sentence...
    assert reason.endswith((".", "?")) and "(only" not in reason, reason   # ...not a fragment


def test_every_problem_is_reported_in_line_order():
    source = ("x = nosuch(1)\n"                 # code generator: unknown function
              "def f():\n"
              "    with g:\n"                   # subset: with (found after line 5 by ast.walk)
              "        pass\n"
              "z = {1} if x else 3 / 2\n"       # subset: a set, '/'
              "class A:\n"
              "    n = 0\n")                    # subset: class attribute (reported at line 6)
    with pytest.raises(CompileError) as info:
        compile_source(source, "many.py")
    positions = [(p.line, p.col) for p in info.value.problems]
    assert positions == [(1, 5), (3, 5), (5, 5), (5, 19), (6, 1)]
    assert positions == sorted(positions)
    lines = str(info.value).splitlines()
    assert len(lines) == 5 and all(line.startswith("many.py:") for line in lines)
    assert "unknown function 'nosuch'" in lines[0] and "with" in lines[1].lower()
    assert (info.value.line, info.value.col) == (1, 5)     # the first one


def test_the_two_messages_the_issue_quoted_are_sentences():
    with pytest.raises(CompileError) as info:
        compile_source("x = {1, 2}\n", "t.py")
    assert info.value.reason == "A set is outside the language subset: use a dict or a list."
    with pytest.raises(CompileError) as info:
        compile_source("print(len([1], key=2))\n", "k.py")
    assert info.value.reason == ("A keyword argument is outside the language subset: the "
                                 "keyword arguments are print()'s sep= and end=, sorted()'s "
                                 "and list.sort()'s key= and reverse=, min()'s and max()'s "
                                 "key=.")


def test_a_method_no_type_has_is_a_compile_error():
    with pytest.raises(CompileError) as info:
        compile_source("s = 'ab'\nprint(s.title())\n", "m.py")
    assert (info.value.line, info.value.col) == (2, 7)
    assert "No method 'title'" in info.value.reason
    # a method of the subset's str, or of a class of the program, compiles
    compile_source("s = 'ab'\nprint(s.upper(), s.split())\n", "m.py")
    compile_source("class Book:\n    def title(self):\n        return 'x'\n"
                   "print(Book().title())\n", "m.py")
    with pytest.raises(CompileError, match="Did you mean 'upper'"):
        compile_source("print('a'.uper())\n", "m.py")


def test_module_and_classes_become_class_files():
    classes = compile_source("class P:\n    def __init__(self):\n        self.x = 1\n"
                             "def f():\n    return 2\ny = f()\n", "prog.py")
    assert [c.name for c in classes] == ["prog", "P"]
    module, point = classes
    assert module.is_module and not point.is_module
    assert {m.name for m in module.methods} == {"<module>", "f"}
    assert module.fields == ["y"] and point.fields == ["x"] and point.super_name == "object"


def test_class_file_round_trip_is_exact():
    for cf in compile_source(open(__file__.replace("test_hll_compiler.py",
                                                   "hll_corpus/bank.py")).read(), "bank.py"):
        data = write(cf)
        assert data[:4] == b"VLCF"
        again = read(data)
        assert write(again) == data
        assert [m.code for m in again.methods] == [m.code for m in cf.methods]


def test_reader_names_what_is_wrong():
    data = write(compile_source("x = 1\n", "m.py")[0])
    with pytest.raises(ClassFormatError, match="bad magic"):
        read(b"XXXX" + data[4:])
    with pytest.raises(ClassFormatError, match="version"):
        read(data[:4] + b"\x00\x09" + data[6:])
    with pytest.raises(ClassFormatError, match="truncated"):
        read(data[:20])
    with pytest.raises(ClassFormatError, match="unexpected bytes"):
        read(data + b"\x00")


def test_javap_lists_code_handlers_and_lines():
    source = "def f(x):\n    try:\n        return 10 // x\n    except ZeroDivisionError:\n" \
             "        return 0\n"
    text = disassemble(write(compile_source(source, "d.py")[0]))
    assert "module d extends object" in text
    assert "static f/1" in text and "max_stack=" in text
    assert "FLOORDIV" in text and "// line 3" in text
    assert "exception table" in text and "ZeroDivisionError" in text


def test_absurdly_nested_programs_are_compile_errors_not_crashes():
    for source in ["x = " + "+".join(["1"] * 20000), "x = " + "-" * 5000 + "1"]:
        with pytest.raises(CompileError, match="nested too deeply"):
            compile_source(source, "deep.py")
