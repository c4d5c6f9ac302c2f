"""Class-file patching: change the bytes of a compiled class the way an attacker or a
buggy compiler would, so that the loader and verifier can be watched judging them.

A class file crosses a trust boundary: the VM receives bytes, not source, and must not
assume that a compiler made them (Lindholm et al., *The Java Virtual Machine
Specification*, sec. 4.10: verification; Gosling, "Java Intermediate Bytecodes", 1995).
These helpers read a class file (``classfile.read``), change one method's code or limits,
and write it back (``classfile.write``); whatever they produce, the loader either accepts
it or rejects it with a reason.  Chapter 9's tampering experiment and its exercises use
them.
"""

from __future__ import annotations

from collections.abc import Callable

from . import classfile, opcodes

#: One NOP instruction, as bytes.
NOP = opcodes.encode("NOP")


def method_of(cf: classfile.ClassFile, name: str) -> classfile.MethodInfo:
    """The method ``name`` of a class file (a clear error if there is none)."""
    for method in cf.methods:
        if method.name == name:
            return method
    raise ValueError(f"class {cf.name} has no method {name!r}; it has "
                     f"{[m.name for m in cf.methods]}")


def put(offset: int, raw: bytes) -> Callable[[bytearray], None]:
    """A patch that overwrites the code at ``offset`` with ``raw``."""
    def patch(code: bytearray) -> None:
        code[offset:offset + len(raw)] = raw
    return patch


def patch_code(data: bytes, method: str, *patches: Callable[[bytearray], None],
               max_stack: int | None = None) -> bytes:
    """The class file ``data`` with ``patches`` applied, in order, to ``method``'s code
    (and its ``max_stack`` replaced if given)."""
    cf = classfile.read(data)
    info = method_of(cf, method)
    code = bytearray(info.code)
    for patch in patches:
        patch(code)
    info.code = bytes(code)
    if max_stack is not None:
        info.max_stack = max_stack
    return classfile.write(cf)


def replace_code(data: bytes, method: str, instructions: list[tuple], max_stack: int,
                 max_locals: int) -> bytes:
    """The class file ``data`` with ``method``'s code replaced by ``instructions``
    (``("LOAD_LOCAL", 0)``, ``("MUL",)``...), its limits set, and no line table."""
    cf = classfile.read(data)
    info = method_of(cf, method)
    info.code = b"".join(opcodes.encode(name, *args) for name, *args in instructions)
    info.max_stack, info.max_locals, info.lines = max_stack, max_locals, []
    return classfile.write(cf)


def first_pool_index(data: bytes, kind: str) -> int:
    """The index of the first constant-pool entry of ``kind`` (``"CLASS"``, ``"INT"``...)."""
    for index, entry in enumerate(classfile.read(data).pool.entries):
        if entry and entry.kind == kind:
            return index
    raise ValueError(f"the constant pool has no {kind} entry")
