"""Class-file patching changes exactly what it is asked to, and names what is missing."""

import pytest

from vlab.application.hll import classfile
from vlab.application.hll.compiler import compile_source
from vlab.application.hll.patching import (
    NOP,
    first_pool_index,
    method_of,
    patch_code,
    put,
    replace_code,
)

SOURCE = "def square(n):\n    return n * n\n\nprint(square(3))\n"


def module_bytes() -> bytes:
    (module,) = [c for c in compile_source(SOURCE, "sq.py") if c.name == "sq"]
    return classfile.write(module)


def test_patch_code_overwrites_bytes_of_one_method_only():
    original = classfile.read(module_bytes())
    patched = classfile.read(patch_code(module_bytes(), "square", put(0, NOP), put(2, NOP)))
    before, after = method_of(original, "square").code, method_of(patched, "square").code
    assert len(after) == len(before)
    assert after[0:1] == NOP and after[2:3] == NOP and after[1] == before[1]
    assert after[3:] == before[3:]
    others = [(m.name, m.code) for m in original.methods if m.name != "square"]
    assert others == [(m.name, m.code) for m in patched.methods if m.name != "square"]


def test_patch_code_can_change_max_stack():
    patched = classfile.read(patch_code(module_bytes(), "square", max_stack=1))
    assert method_of(patched, "square").max_stack == 1


def test_replace_code_sets_code_and_limits():
    data = replace_code(module_bytes(), "square", [("LOAD_LOCAL", 0), ("RETURN",)], 3, 2)
    info = method_of(classfile.read(data), "square")
    assert (info.max_stack, info.max_locals, info.lines) == (3, 2, [])
    assert len(info.code) == 4            # LOAD_LOCAL u16, RETURN


def test_missing_names_are_clear_errors():
    with pytest.raises(ValueError, match="no method 'cube'"):
        patch_code(module_bytes(), "cube", put(0, NOP))
    with pytest.raises(ValueError, match="no NOSUCH entry"):
        first_pool_index(module_bytes(), "NOSUCH")
    cf = classfile.read(module_bytes())
    assert cf.pool.entries[first_pool_index(module_bytes(), "CLASS")].kind == "CLASS"
