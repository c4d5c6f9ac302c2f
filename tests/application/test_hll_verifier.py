"""The verifier rejects unsafe bytecode before it runs, naming method, offset and reason."""

from __future__ import annotations

import pytest

from vlab.application.hll.classfile import Handler, read, write
from vlab.application.hll.compiler import compile_source
from vlab.application.hll.errors import VerifyError
from vlab.application.hll.loader import MemoryEntry
from vlab.application.hll.opcodes import encode
from vlab.application.hll.verifier import verify_class
from vlab.application.hll.vm import VM

SOURCE = """
def f(n):
    total = 0
    for i in range(n):
        total += i
    return total

print(f(4))
"""


def program_with(code: bytes, max_stack=4, max_locals=2, arity=1, handlers=()):
    classes = compile_source(SOURCE, "t.py")
    method = next(m for m in classes[0].methods if m.name == "f")
    method.code, method.max_stack, method.max_locals = code, max_stack, max_locals
    method.arity, method.handlers = arity, list(handlers)
    return classes


def run(classes):
    return VM(MemoryEntry({c.name: write(c) for c in classes})).run("t")


def const(classes, value):
    return classes[0].pool.constant(value)


def ops(*instructions) -> bytes:
    return b"".join(encode(*i) for i in instructions)


def test_valid_program_passes():
    result = run(compile_source(SOURCE, "t.py"))
    assert result.status == "ok" and result.output == "6\n"


def test_every_compiled_corpus_class_verifies():
    from pathlib import Path
    for path in (Path(__file__).parent / "hll_corpus").glob("*.py"):
        for cf in compile_source(path.read_text(), path.name):
            verify_class(read(write(cf)))


CASES = {
    "stack underflow": (lambda c: ops(("POP",), ("LOAD_LOCAL", 0), ("RETURN",)),
                        {}, 0, "underflow"),
    "uninitialized local": (lambda c: ops(("LOAD_LOCAL", 1), ("RETURN",)),
                            {}, 0, "may be uninitialized"),
    "local out of range": (lambda c: ops(("LOAD_LOCAL", 9), ("RETURN",)),
                           {}, 0, "max_locals"),
    "falls off the end": (lambda c: ops(("LOAD_LOCAL", 0), ("POP",)),
                          {}, 3, "falls off the end"),
    "max_stack exceeded": (lambda c: ops(("LOAD_LOCAL", 0), ("LOAD_LOCAL", 0), ("ADD",),
                                         ("RETURN",)), {"max_stack": 1}, 3, "max_stack"),
    "jump into an instruction": (lambda c: ops(("JUMP", 1), ("LOAD_LOCAL", 0), ("RETURN",)),
                                 {}, 0, "not an instruction"),
    "iterator used as a value": (lambda c: ops(("LOAD_LOCAL", 0), ("GET_ITER",), ("RETURN",)),
                                 {}, 4, "found an iterator"),
    "value used as an iterator": (lambda c: ops(("FOR_ITER", 0, 6), ("RETURN",),
                                                ("LOAD_LOCAL", 0), ("RETURN",)),
                                  {}, 0, "not an iterator"),
    "unknown opcode": (lambda c: bytes([250]), {}, 0, "unknown opcode"),
    "truncated instruction": (lambda c: bytes([encode("LOAD_LOCAL", 0)[0], 0]),
                              {}, 0, "truncated"),
    "constant of the wrong kind": (lambda c: ops(("LOAD_CONST", c[0].pool.class_ref("t")),
                                                 ("RETURN",)), {}, 0, "expected INT/STR"),
    "stack shape differs at a merge": (
        lambda c: ops(("LOAD_LOCAL", 0), ("JUMP_IF_FALSE", 10), ("LOAD_LOCAL", 0), ("NOP",),
                      ("LOAD_LOCAL", 0), ("RETURN",)), {}, 9, "meets"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_verifier_rejects(case):
    make_code, limits, offset, reason = CASES[case]
    classes = program_with(b"")
    classes = program_with(make_code(classes), **limits)
    result = run(classes)
    assert result.status == "rejected" and result.exit_code == 2
    assert "t.f at offset" in result.message
    assert f"offset {offset}:" in result.message
    assert reason in result.message


def test_handler_must_start_on_an_instruction():
    classes = program_with(ops(("LOAD_LOCAL", 0), ("RETURN",)),
                           handlers=[Handler(0, 3, 1, 0)])
    result = run(classes)
    assert result.status == "rejected" and "handler" in result.message


def test_verify_error_carries_method_and_offset():
    classes = program_with(ops(("POP",), ("RETURN",)))
    with pytest.raises(VerifyError) as info:
        verify_class(read(write(classes[0])))
    assert info.value.method == "f" and info.value.offset == 0
