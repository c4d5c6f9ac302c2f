"""The class-file format: how a compiled class is stored as bytes.

Modeled on the JVM class file (JVM Specification ch. 4), smaller.  All integers are
unsigned big-endian unless stated.

::

    magic        4 bytes  b"VLCF"
    major, minor u16, u16 (this reader accepts major == 2: see VERSIONS)
    constants    u16 count (entries + 1), then count-1 entries (see constpool.py)
    flags        u16      1 = MODULE (the class that holds a source file's functions,
                          globals and top-level code)
    this_class   u16      CLASS index
    super_class  u16      CLASS index, or 0 for the root class ``object``
    source_file  u16      UTF8 index
    fields       u16 n, n x u16 UTF8 index (instance fields; for a module: its globals)
    methods      u16 n, then per method:
        name u16 UTF8, flags u16 (1 = STATIC), arity u8, ndefaults u8,
        ndefaults x u16 constant index (defaults of the last parameters),
        max_stack u16, max_locals u16, code_length u32, code bytes,
        handlers u16 n, n x (start u16, end u16, handler u16, catch u16 CLASS or 0 = any),
        lines u16 n, n x (offset u16, line u16)  (the instruction at offset starts line)
    source_text  u32 length, UTF-8 source (for stack traces; may be empty)

The reader checks the *structure* (lengths, kinds of constant-pool references); the
verifier checks the *code*.  Any defect raises :class:`ClassFormatError` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .constpool import TAG_OF, TAGS, ConstPool, Entry
from .errors import ClassFormatError

MAGIC = b"VLCF"
MAJOR, MINOR = 2, 0
# What each major version added; a file of another version is refused with its story.
VERSIONS = {
    1: "the first language subset (no tuples as values, lambdas, comprehensions, '**', "
       "format specs or keyword arguments of sorted/min/max)",
    2: "tuples, lambdas and function values, comprehensions, '**', f-string format specs, "
       "sorted/list.sort/min/max with key= and reverse=, assert (natives _vm_tuple, "
       "_vm_function, _vm_call, pow, format... that a version-1 VM does not have)",
}
FLAG_MODULE = 1
FLAG_STATIC = 1
MAX_CODE = 0xFFFF  # jump targets are u16


@dataclass
class Handler:
    start: int
    end: int
    handler: int
    catch: int  # CLASS index or 0 (any exception)


@dataclass
class MethodInfo:
    name: str
    flags: int
    arity: int
    defaults: list[int]
    max_stack: int
    max_locals: int
    code: bytes
    handlers: list[Handler] = field(default_factory=list)
    lines: list[tuple[int, int]] = field(default_factory=list)

    @property
    def is_static(self) -> bool:
        return bool(self.flags & FLAG_STATIC)

    def line_at(self, offset: int) -> int:
        line = 0
        for start, ln in self.lines:
            if start > offset:
                break
            line = ln
        return line


@dataclass
class ClassFile:
    name: str
    super_name: str | None
    pool: ConstPool
    flags: int = 0
    source_file: str = "<source>"
    fields: list[str] = field(default_factory=list)
    methods: list[MethodInfo] = field(default_factory=list)
    source_text: str = ""

    @property
    def is_module(self) -> bool:
        return bool(self.flags & FLAG_MODULE)


# ---------------------------------------------------------------- writing

def write(cf: ClassFile) -> bytes:
    pool = cf.pool
    this, sup, src = pool.class_ref(cf.name), 0, pool.utf8(cf.source_file)
    if cf.super_name is not None:
        sup = pool.class_ref(cf.super_name)
    field_idx = [pool.utf8(f) for f in cf.fields]
    method_names = [pool.utf8(m.name) for m in cf.methods]
    out = bytearray(MAGIC) + _u16(MAJOR) + _u16(MINOR) + _write_pool(pool)
    out += _u16(cf.flags) + _u16(this) + _u16(sup) + _u16(src)
    out += _u16(len(field_idx)) + b"".join(_u16(i) for i in field_idx)
    out += _u16(len(cf.methods))
    for m, name in zip(cf.methods, method_names, strict=True):
        out += _write_method(m, name)
    text = cf.source_text.encode()
    return bytes(out + len(text).to_bytes(4, "big") + text)


def _u16(v: int) -> bytes:
    return v.to_bytes(2, "big")


def _write_pool(pool: ConstPool) -> bytes:
    out = bytearray(_u16(len(pool)))
    for e in pool.entries[1:]:
        out.append(TAG_OF[e.kind])
        if e.kind == "UTF8":
            data = e.value.encode()
            out += _u16(len(data)) + data
        elif e.kind == "STR":
            data = e.value.encode()
            out += len(data).to_bytes(4, "big") + data
        elif e.kind == "INT":
            n = max(1, (e.value.bit_length() + 8) // 8)
            out += _u16(n) + e.value.to_bytes(n, "big", signed=True)
        elif e.kind == "BOOL":
            out.append(int(e.value))
        elif e.kind == "CLASS":
            out += _u16(e.value[0])
        elif e.kind == "FIELD":
            out += _u16(e.value[0]) + _u16(e.value[1])
        elif e.kind == "METHOD":
            out += _u16(e.value[0]) + _u16(e.value[1]) + bytes([e.value[2]])
    return bytes(out)


def _write_method(m: MethodInfo, name: int) -> bytes:
    out = bytearray(_u16(name) + _u16(m.flags) + bytes([m.arity, len(m.defaults)]))
    out += b"".join(_u16(d) for d in m.defaults)
    out += _u16(m.max_stack) + _u16(m.max_locals) + len(m.code).to_bytes(4, "big") + m.code
    out += _u16(len(m.handlers))
    for h in m.handlers:
        out += _u16(h.start) + _u16(h.end) + _u16(h.handler) + _u16(h.catch)
    out += _u16(len(m.lines)) + b"".join(_u16(o) + _u16(ln) for o, ln in m.lines)
    return bytes(out)


# ---------------------------------------------------------------- reading

class _Reader:
    """A bounds-checked cursor: running off the end is a ClassFormatError, not IndexError."""

    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, n: int, what: str) -> bytes:
        if self.pos + n > len(self.data):
            raise ClassFormatError(f"truncated at byte {self.pos} while reading {what}")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def u(self, n: int, what: str) -> int:
        return int.from_bytes(self.take(n, what), "big")

    def text(self, n: int, what: str) -> str:
        raw = self.take(n, what)
        try:
            return raw.decode()
        except UnicodeDecodeError:
            raise ClassFormatError(f"{what} at byte {self.pos - n} is not UTF-8") from None


def read(data: bytes) -> ClassFile:
    r = _Reader(bytes(data))
    if r.take(4, "magic") != MAGIC:
        raise ClassFormatError("bad magic number (not a vlab class file)")
    major, minor = r.u(2, "major version"), r.u(2, "minor version")
    if major != MAJOR:
        if major in VERSIONS:
            age = "older" if major < MAJOR else "newer"
            raise ClassFormatError(
                f"class-file version {major}.{minor} is {age} than this VM's {MAJOR}.{MINOR} "
                f"(version {major}: {VERSIONS[major]}): compile the source again with this "
                "VM's compiler (vlab hll compile)")
        raise ClassFormatError(f"unsupported class-file version {major}.{minor} (this VM "
                               f"reads version {MAJOR}.{MINOR})")
    pool = _read_pool(r)
    flags = r.u(2, "flags")
    this = _ref(pool, r.u(2, "this_class"), "CLASS", "this_class")
    sup = r.u(2, "super_class")
    super_name = None if sup == 0 else pool.name(_ref(pool, sup, "CLASS", "super_class"))
    source = pool.name(_ref(pool, r.u(2, "source_file"), "UTF8", "source_file"))
    fields = [pool.name(_ref(pool, r.u(2, "field"), "UTF8", "field name"))
              for _ in range(r.u(2, "field count"))]
    methods = [_read_method(r, pool) for _ in range(r.u(2, "method count"))]
    text = r.text(r.u(4, "source length"), "source text")
    if r.pos != len(r.data):
        raise ClassFormatError(f"{len(r.data) - r.pos} unexpected bytes after the class")
    return ClassFile(pool.name(this), super_name, pool, flags, source, fields, methods, text)


def _read_pool(r: _Reader) -> ConstPool:
    count = r.u(2, "constant count")
    entries = []
    for i in range(1, count):
        tag = r.u(1, f"constant {i} tag")
        kind = TAGS.get(tag)
        if kind is None:
            raise ClassFormatError(f"constant {i}: unknown tag {tag}")
        entries.append(Entry(kind, _read_entry(r, kind, i)))
    pool = ConstPool(entries)
    for i, e in enumerate(pool.entries[1:], start=1):
        what = f"constant {i} ({e.kind})"
        if e.kind == "CLASS":
            _ref(pool, e.value[0], "UTF8", what)
        elif e.kind in ("FIELD", "METHOD"):
            _ref(pool, e.value[0], "CLASS", what)
            _ref(pool, e.value[1], "UTF8", what)
    return pool


def _read_entry(r: _Reader, kind: str, i: int):
    what = f"constant {i} ({kind})"
    if kind == "UTF8":
        return r.text(r.u(2, what), what)
    if kind == "STR":
        return r.text(r.u(4, what), what)
    if kind == "INT":
        return int.from_bytes(r.take(r.u(2, what), what), "big", signed=True)
    if kind == "BOOL":
        return bool(r.u(1, what))
    if kind == "NONE":
        return None
    if kind == "CLASS":
        return (r.u(2, what),)
    if kind == "FIELD":
        return (r.u(2, what), r.u(2, what))
    return (r.u(2, what), r.u(2, what), r.u(1, what))


def _ref(pool: ConstPool, index: int, kind: str, what: str) -> int:
    if pool.kind(index) != kind:
        raise ClassFormatError(f"{what}: constant {index} is {pool.kind(index) or 'invalid'},"
                               f" expected {kind}")
    return index


def _read_method(r: _Reader, pool: ConstPool) -> MethodInfo:
    name = pool.name(_ref(pool, r.u(2, "method name"), "UTF8", "method name"))
    what = f"method {name}"
    flags, arity, ndef = r.u(2, what), r.u(1, what), r.u(1, what)
    if ndef > arity:
        raise ClassFormatError(f"{what}: {ndef} defaults for {arity} parameters")
    defaults = [r.u(2, what) for _ in range(ndef)]
    for d in defaults:
        if pool.kind(d) not in ("INT", "STR", "BOOL", "NONE"):
            raise ClassFormatError(f"{what}: default value constant {d} is not a value")
    max_stack, max_locals = r.u(2, what), r.u(2, what)
    if max_locals < arity:
        raise ClassFormatError(f"{what}: max_locals {max_locals} < arity {arity}")
    code_len = r.u(4, what)
    if code_len > MAX_CODE:
        raise ClassFormatError(f"{what}: code length {code_len} exceeds {MAX_CODE}")
    code = r.take(code_len, f"{what} code")
    handlers = []
    for _ in range(r.u(2, f"{what} handler count")):
        start, end, target, catch = (r.u(2, f"{what} handler") for _ in range(4))
        if catch:
            _ref(pool, catch, "CLASS", f"{what} handler catch type")
        handlers.append(Handler(start, end, target, catch))
    lines = [(r.u(2, f"{what} line table"), r.u(2, f"{what} line table"))
             for _ in range(r.u(2, f"{what} line count"))]
    return MethodInfo(name, flags, arity, defaults, max_stack, max_locals, code, handlers, lines)
