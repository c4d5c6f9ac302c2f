"""Class loaders: parent delegation, one loader per application, lazy loading, init."""

from __future__ import annotations

import pytest

from vlab.application.hll.classfile import write
from vlab.application.hll.compiler import compile_source
from vlab.application.hll.loader import ClassLoader, MemoryEntry, bootstrap_loader
from vlab.application.hll.vm import VM


def class_bytes(source: str, filename: str = "app.py") -> dict[str, bytes]:
    return {cf.name: write(cf) for cf in compile_source(source, filename)}


class RecordingPackage:
    """A class path entry in the ``read_class`` protocol that records what was asked."""

    def __init__(self, classes):
        self.classes, self.requests = classes, []

    def read_class(self, name):
        self.requests.append(name)
        return self.classes.get(name)


def test_system_classes_come_from_the_bootstrap_loader():
    from vlab.application.hll.errors import CompileError

    with pytest.raises(CompileError, match="would shadow the system class"):
        compile_source("class Exception:\n    pass\n", "app.py")
    # a hand-made class file named Exception is simply never consulted
    impostor = compile_source("class Impostor:\n    pass\n", "app.py")[1]
    impostor.name = "Exception"
    impostor = {"Exception": write(impostor)}
    package = RecordingPackage(impostor)
    vm = VM(package)
    cls = vm.load("Exception")
    assert cls.loader is vm.bootstrap and cls.superclass.name == "object"
    assert package.requests == []


def test_each_application_has_its_own_loader_and_classes():
    one = class_bytes("class Point:\n    def who(self):\n        return 'one'\n"
                      "print(Point().who())\n")
    two = class_bytes("class Point:\n    def who(self):\n        return 'two'\n"
                      "print(Point().who())\n")
    vm1, vm2 = VM(MemoryEntry(one)), VM(MemoryEntry(two))
    assert vm1.run("app").output == "one\n" and vm2.run("app").output == "two\n"
    assert vm1.load("Point") is not vm2.load("Point")
    assert vm1.load("Point").loader is vm1.loader


def test_classes_load_lazily_on_first_use():
    source = """
class Used:
    pass

class Unused:
    pass

def never():
    return Unused()

print(isinstance(Used(), Used))
"""
    package = RecordingPackage(class_bytes(source))
    vm = VM(package)
    result = vm.run("app")
    assert result.output == "True\n"
    assert "Used" in package.requests and "Unused" not in package.requests
    assert "Unused" not in vm.loader.classes


def test_a_missing_class_fails_only_when_used():
    source = "class Helper:\n    pass\n\ndef use():\n    return Helper()\n\nprint('start')\nuse()\n"
    classes = class_bytes(source)
    del classes["Helper"]
    result = VM(MemoryEntry(classes)).run("app")
    assert result.output == "start\n"
    assert result.status == "rejected" and "class Helper not found" in result.message


def test_module_initializer_runs_once_and_globals_are_shared():
    source = """
counter = 0

class Tally:
    def bump(self):
        global counter
        counter += 1
        return counter

t = Tally()
t.bump()
print(t.bump(), counter)
"""
    vm = VM(MemoryEntry(class_bytes(source)))
    assert vm.run("app").output == "2 2\n"
    assert vm.load("app").state == "initialized"


def test_delegation_order_parent_first():
    parent = ClassLoader("parent", MemoryEntry(class_bytes("class Shared:\n    pass\n", "p.py")),
                         bootstrap_loader())
    child = ClassLoader("child", MemoryEntry(class_bytes("class Shared:\n    pass\n", "c.py")),
                        parent)
    assert child.load("Shared").loader is parent


@pytest.mark.parametrize("name", ["../etc/passwd", "a/b", ""])
def test_class_names_are_not_paths(name, tmp_path):
    vm = VM(tmp_path)
    with pytest.raises(Exception, match="invalid class name"):
        vm.load(name)
