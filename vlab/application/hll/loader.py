"""Class loading: class path, class loaders with parent delegation, linking, initialization.

Follows the JVM's model (JVM Specification ch. 5; Liang & Bracha, "Dynamic Class Loading
in the Java Virtual Machine", OOPSLA 1998):

* A **class path** is a list of places to find class-file bytes by class name: a directory
  (``NAME.vlc`` files), an in-memory dict, or any object with ``read_class(name)`` (an
  application package streamed by ``vlab.application.sandbox``).
* A **class loader** first *delegates* to its parent and only if the parent cannot find
  the class looks in its own class path; so the system classes (``object``,
  ``Exception``...) always come from the bootstrap loader and cannot be replaced by an
  application.  Each application gets its own loader: two applications may both define a
  class ``Point`` and never see each other's.
* **Loading** reads and checks the bytes (``classfile.read``), **verifies** every method
  (``verifier``) and links the superclass; the method table (vtable) is built from the
  superclass's.  **Resolution** of constant-pool references is *lazy*: an entry is
  resolved the first time an instruction uses it, then cached.
* **Initialization** runs the class initializer (a module's ``<module>`` code) on first
  active use: the first ``NEW``, global access or explicit run.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from . import classfile, stdlib
from .compiler import compile_source
from .errors import ClassFormatError, LinkageError
from .values import host_type
from .verifier import verify_class

EXTENSION = ".vlc"
MAX_CLASS_BYTES = 16 * 2**20  # code <= 64 KiB per method; this leaves room
INIT = "<module>"


class ClassNotFound(LinkageError):
    pass


# ---------------------------------------------------------------- class path

class DirectoryEntry:
    def __init__(self, path):
        self.path = Path(path)

    def read_class(self, name: str) -> bytes | None:
        """The bytes of ``name``'s class file: a regular file (a FIFO or device is not a
        class file) of at most :data:`MAX_CLASS_BYTES` (a link to a huge file is refused)."""
        file = self.path / (name + EXTENSION)
        if not file.is_file():
            return None
        with open(file, "rb") as stream:
            data = stream.read(MAX_CLASS_BYTES + 1)
        if len(data) > MAX_CLASS_BYTES:
            raise ClassFormatError(f"{file} is larger than {MAX_CLASS_BYTES} bytes: "
                                   "not a class file")
        return data


class MemoryEntry:
    def __init__(self, classes: dict[str, bytes]):
        self.classes = classes

    def read_class(self, name: str) -> bytes | None:
        return self.classes.get(name)


def class_path(entries) -> list:
    """Normalize: a directory, a dict of bytes, or a ``read_class`` object (or a list)."""
    if entries is None:
        return []
    if not isinstance(entries, list | tuple):
        entries = [entries]
    out = []
    for e in entries:
        if hasattr(e, "read_class"):
            out.append(e)
        elif isinstance(e, dict):
            out.append(MemoryEntry(e))
        else:
            out.append(DirectoryEntry(e))
    return out


# ---------------------------------------------------------------- runtime structures

class Method:
    """A loaded method: its class-file info, decoded code, hotness and entry point."""

    def __init__(self, owner, info: classfile.MethodInfo, instrs):
        self.owner, self.info, self.instrs = owner, info, instrs
        self.name, self.arity, self.is_static = info.name, info.arity, info.is_static
        self.defaults = [owner.cf.pool.get(i).value for i in info.defaults]
        self.calls = 0
        self.entry = None  # callable(*args); set by the runtime (interpreter stub or JIT code)
        self.compiled = None  # the JIT's CompiledMethod, once hot

    @property
    def qualname(self) -> str:
        return f"{self.owner.name}.{self.name}"

    def __repr__(self) -> str:
        return f"<method {self.qualname}/{self.arity}>"


class RuntimeClass:
    def __init__(self, cf: classfile.ClassFile, loader, superclass, instrs):
        self.cf, self.loader, self.superclass = cf, loader, superclass
        self.name = cf.name
        self.methods = {m.name: Method(self, m, instrs[m.name]) for m in cf.methods}
        self.vtable = dict(superclass.vtable) if superclass else {}
        self.vtable.update({n: m for n, m in self.methods.items() if not m.is_static})
        self.field_count = len(cf.fields) + (superclass.field_count if superclass else 0)
        self.statics: dict[str, object] = {}
        self.pytype = host_type(cf.name)
        self.state = "linked"
        self.resolved: dict[int, object] = {}
        self.is_exception = (superclass.is_exception if superclass else False) or (
            cf.name == "Exception" and loader.name == "bootstrap")

    def is_subclass_of(self, other: RuntimeClass) -> bool:
        cls = self
        while cls is not None:
            if cls is other:
                return True
            cls = cls.superclass
        return False

    def find_method(self, name: str):
        cls = self
        while cls is not None:
            if name in cls.methods:
                return cls.methods[name]
            cls = cls.superclass
        return None

    # lazy resolution of constant-pool references, cached per index
    def resolve_class(self, index: int) -> RuntimeClass:
        if index not in self.resolved:
            self.resolved[index] = self.loader.load(self.cf.pool.name(index))
        return self.resolved[index]

    def resolve_method(self, index: int) -> Method:
        if index not in self.resolved:
            class_index, name_index, _ = self.cf.pool.get(index).value
            cls = self.resolve_class(class_index)
            method = cls.find_method(self.cf.pool.name(name_index))
            if method is None:
                raise LinkageError(f"{self.name}: no method "
                                   f"{cls.name}.{self.cf.pool.name(name_index)}")
            self.resolved[index] = method
        return self.resolved[index]

    def resolve_field(self, index: int) -> tuple[RuntimeClass, str]:
        if index not in self.resolved:
            class_index, name_index = self.cf.pool.get(index).value
            self.resolved[index] = (self.resolve_class(class_index),
                                    self.cf.pool.name(name_index))
        return self.resolved[index]

    def __repr__(self) -> str:
        return f"<class {self.name} ({self.loader.name})>"


# ---------------------------------------------------------------- loaders

class ClassLoader:
    def __init__(self, name: str, path=None, parent: ClassLoader | None = None):
        self.name, self.path, self.parent = name, class_path(path), parent
        self.classes: dict[str, RuntimeClass] = {}
        self._loading: set[str] = set()
        self.on_define = None  # callback(RuntimeClass), set by the runtime

    def load(self, name: str) -> RuntimeClass:
        if name in self.classes:
            return self.classes[name]
        if not name.isidentifier():  # class names become file names: no paths allowed
            raise ClassNotFound(f"invalid class name {name!r}")
        if self.parent is not None:
            try:
                return self.parent.load(name)
            except ClassNotFound:
                pass
        data = self.find(name)
        if data is None:
            raise ClassNotFound(f"class {name} not found by loader '{self.name}'")
        return self.define(name, data)

    def find(self, name: str) -> bytes | None:
        for entry in self.path:
            data = entry.read_class(name)
            if data is not None:
                return data
        return None

    def define(self, name: str, data: bytes) -> RuntimeClass:
        if name in self._loading:
            raise LinkageError(f"class {name} is its own superclass")
        cf = classfile.read(data)
        if cf.name != name:
            raise ClassFormatError(f"file for class {name} defines class {cf.name}")
        instrs = verify_class(cf)
        self._loading.add(name)
        try:
            superclass = self.load(cf.super_name) if cf.super_name else None
        finally:
            self._loading.discard(name)
        if superclass is None and name != "object":
            raise LinkageError(f"class {name} has no superclass (only 'object' may)")
        cls = RuntimeClass(cf, self, superclass, instrs)
        self.classes[name] = cls
        if self.on_define is not None:
            self.on_define(cls)
        return cls


@cache
def system_class_bytes() -> dict[str, bytes]:
    """The compiled system classes (``stdlib.SOURCE``), name -> class-file bytes (compiled
    once per process)."""
    classes = compile_source(stdlib.SOURCE, "lang.py", stdlib.MODULE, system=True)
    return {cf.name: classfile.write(cf) for cf in classes}


def bootstrap_loader() -> ClassLoader:
    """The loader of the system library (``stdlib``); parent of every application loader."""
    return ClassLoader("bootstrap", MemoryEntry(system_class_bytes()))
