"""The system library: the classes every program can use without defining them.

Like ``java.lang`` in the JVM, these classes are written in the VM's own language and
compiled by the same compiler; the *bootstrap* class loader compiles and serves them
(``loader.py``: this module is data only, so the compiler can import it without a cycle),
and every application class loader delegates to it first.  ``object`` is the root of the
class hierarchy (it has no superclass); the exception classes mirror CPython's names so
that guest programs catch the same exceptions CPython raises.
"""

from __future__ import annotations

import ast

SOURCE = '''
class object:
    def __init__(self):
        pass

class Exception(object):
    def __init__(self, message=""):
        self.message = message

    def __str__(self):
        return str(self.message)

class ArithmeticError(Exception):
    pass

class ZeroDivisionError(ArithmeticError):
    pass

class OverflowError(ArithmeticError):
    pass

class LookupError(Exception):
    pass

class IndexError(LookupError):
    pass

class KeyError(LookupError):
    def __str__(self):
        return repr(self.message)

class ValueError(Exception):
    pass

class TypeError(Exception):
    pass

class AttributeError(Exception):
    pass

class NameError(Exception):
    pass

class RuntimeError(Exception):
    pass

class RecursionError(RuntimeError):
    pass

class AssertionError(Exception):
    pass

class MemoryError(Exception):
    pass

class OutOfMemoryError(MemoryError):
    pass

class OSError(Exception):
    pass

class FileNotFoundError(OSError):
    pass

class PermissionError(OSError):
    pass
'''

MODULE = "lang"
CLASS_NAMES: tuple[str, ...] = tuple(
    node.name for node in ast.parse(SOURCE).body if isinstance(node, ast.ClassDef))
# Built-in value types usable as the second argument of isinstance.
VALUE_TYPES = ("int", "bool", "str", "list", "dict")
