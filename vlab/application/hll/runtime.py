"""The runtime: the services both execution engines (interpreter and JIT code) call.

It owns the heap and collector, the class loaders, the host and policy, the instruction
counter, and implements the operations whose work is more than one host operation:
generic arithmetic with size checks, field and index access, method dispatch, object
creation, string conversion through guest ``__str__``, and the translation of host
errors into guest exceptions (a host ``ZeroDivisionError`` becomes a guest
``ZeroDivisionError`` object with CPython's message, so handlers and stack traces work
the same in both engines).  Operations whose work grows with their operands (comparing,
searching, copying strings and lists) are charged to the budget by that work
(``work.py``), and every string they make is charged to the heap (``heap.py``).  Tuples
are host tuples charged like lists (``natives.new_tuple``): ``+``, ``*`` and slices of
them are charged here, and their ``count`` and ``index`` methods are at the end of this
module.
"""

from __future__ import annotations

import operator
from itertools import islice

from .errors import BudgetExhausted, GuestThrow
from .heap import BIG_INT, SIZES, HeapExhausted
from .host import resolve
from .loader import INIT
from .natives import METHODS, method, new_tuple
from .policy import PolicyDenied
from .values import GuestDict, GuestList, GuestObject, guest_repr, type_name
from .work import (
    chars,
    count_equal,
    division_work,
    equality,
    hashing,
    items,
    membership,
    multiplication_work,
    ordering,
)

# Host exception -> guest exception class, most specific first.
HOST_ERRORS = [
    (RecursionError, "RecursionError"), (ZeroDivisionError, "ZeroDivisionError"),
    (OverflowError, "OverflowError"), (IndexError, "IndexError"), (KeyError, "KeyError"),
    (FileNotFoundError, "FileNotFoundError"), (PolicyDenied, "PermissionError"),
    (PermissionError, "PermissionError"), (IsADirectoryError, "OSError"),
    (NotADirectoryError, "OSError"), (TypeError, "TypeError"), (ValueError, "ValueError"),
    (AttributeError, "AttributeError"), (NameError, "NameError"),
    (HeapExhausted, "OutOfMemoryError"), (MemoryError, "OutOfMemoryError"),
    (RuntimeError, "RuntimeError"), (OSError, "OSError"),
]
CONVERTIBLE = tuple(kind for kind, _ in HOST_ERRORS)
NATIVE_TYPES = {GuestList: list, GuestDict: dict, str: str, tuple: tuple}
# Integers may grow by multiplication only to this size (a bound on host time and memory;
# CPython has none).  Addition grows them by one bit per instruction, so the budget bounds it.
MAX_INT_BITS = 1 << 16
SMALL_INT = 1 << 512  # the engines divide smaller dividends inline; larger are charged
ORDERINGS = {"LT": operator.lt, "LE": operator.le, "GT": operator.gt, "GE": operator.ge}


class Runtime:
    def __init__(self, heap, collector, app_loader, host, policy, max_instructions,
                 max_output: int = 64 * 2**20, max_write: int = 64 * 2**20):
        self.heap, self.collector, self.loader = heap, collector, app_loader
        self.host, self.policy = host, policy
        self.written_bytes, self.max_write = 0, max_write  # file bytes written, quota
        self.icount, self.limit = 0, max_instructions
        self.interpreted = self.charged = 0  # of icount: by the interpreter, by natives
        self.gc_charged = 0  # of icount: the collector's work (gc.py)
        self.output_chars, self.max_output = 0, max_output
        self.frames = []  # interpreter frames, innermost last (for stepping views)
        self.tracer = None
        self.interpreter = None
        self.jit = None

    # ------------------------------------------------------------ budget and clock

    def exhausted(self):
        raise BudgetExhausted(f"instruction budget of {self.limit} exhausted")

    def charge(self, instructions: int) -> None:
        """Charge work done inside a native to the instruction budget."""
        self.icount += instructions
        self.charged += instructions
        if self.icount > self.limit:
            self.exhausted()

    def host_resolve(self, path: str) -> str:
        """``path`` as the host will open it (symbolic links followed): what the policy
        judges."""
        return resolve(self.host, path)

    def charge_collection(self, instructions: int) -> None:
        """Charge a collection's work to the budget (apart: the ledger prices it as GC)."""
        self.icount += instructions
        self.gc_charged += instructions
        if self.icount > self.limit:
            self.exhausted()

    def clock_ns(self) -> int:
        if hasattr(self.host, "instructions"):
            self.host.instructions = self.icount
        return self.host.clock_ns()

    # ------------------------------------------------------------ exceptions

    def system_class(self, name: str):
        return self.loader.load(name)

    def make_exception(self, class_name: str, message) -> GuestObject:
        cls = self.system_class(class_name)
        obj = self.new_instance(cls)
        obj.message = message
        return obj

    def convert(self, error: BaseException) -> GuestThrow:
        """A host error raised while running guest code, as a guest exception."""
        if isinstance(error, GuestThrow):
            return error
        name = next((n for kind, n in HOST_ERRORS if isinstance(error, kind)), "RuntimeError")
        if name == "KeyError" and len(error.args) == 1:
            message = error.args[0]
        elif name == "OutOfMemoryError":
            message = str(error) or f"heap limit of {self.heap.limit} bytes exceeded"
        else:
            message = str(error)
        try:
            return GuestThrow(self.make_exception(name, message))
        except HeapExhausted:  # no room even for the exception: reuse a preallocated one
            return GuestThrow(self.oom)

    def throw(self, value) -> GuestThrow:
        if not (isinstance(value, GuestObject)
                and value._vm_cls.is_subclass_of(self.system_class("Exception"))):
            return self.convert(TypeError("exceptions must derive from Exception"))
        return GuestThrow(value)

    def prepare(self) -> None:
        """Allocate the OutOfMemoryError thrown when even that cannot be allocated."""
        self.oom = self.make_exception("OutOfMemoryError",
                                       f"heap limit of {self.heap.limit} bytes exceeded")

    # ------------------------------------------------------------ classes and objects

    def initialize(self, cls) -> None:
        if cls.state != "linked":
            return
        cls.state = "initializing"
        if cls.superclass is not None:
            self.initialize(cls.superclass)
        init = cls.methods.get(INIT)
        if init is not None:
            self.call(init, ())
        cls.state = "initialized"

    def new_instance(self, cls) -> GuestObject:
        if cls.state == "linked":
            self.initialize(cls)
        return self.heap.new_object(cls.pytype, cls, cls.field_count)

    def call(self, method, args: tuple):
        if method.entry is None:
            self.interpreter.install(method)
        return method.entry(*args)

    def call_special(self, method, receiver, args):
        if not (isinstance(receiver, GuestObject)
                and receiver._vm_cls.is_subclass_of(method.owner)):
            raise TypeError(f"{method.qualname}() needs a '{method.owner.name}' receiver, "
                            f"not '{type_name(receiver)}'")
        if receiver._vm_cls.is_exception and "message" not in receiver.__dict__:
            # as CPython keeps an exception's constructor arguments (BaseException.args)
            # even when a subclass's __init__ never calls super().__init__
            if receiver._vm_old:
                self.heap.remember(receiver)
            receiver.message = args[0] if len(args) == 1 else tuple(args) if args else ""
        return method.entry(receiver, *args)

    def call_virtual(self, receiver, name: str, args):
        if isinstance(receiver, GuestObject):
            method = receiver._vm_cls.vtable.get(name)
            if method is None:
                raise AttributeError(f"'{type_name(receiver)}' object has no attribute "
                                     f"'{name}'")
            if method.entry is None:
                self.interpreter.install(method)
            return method.entry(receiver, *args)
        native = METHODS.get((NATIVE_TYPES.get(type(receiver)), name))
        if native is None:
            raise AttributeError(f"'{type_name(receiver)}' object has no attribute '{name}'")
        fn, lo, hi = native
        if not lo <= len(args) <= hi:
            raise TypeError(f"{type_name(receiver)}.{name}() takes {lo} to {hi} arguments "
                            f"({len(args)} given)")
        return fn(self, receiver, *args)

    def instance_of(self, value, cls) -> bool:
        return isinstance(value, GuestObject) and value._vm_cls.is_subclass_of(cls)

    def get_global(self, cls, name: str):
        if cls.state == "linked":
            self.initialize(cls)
        try:
            return cls.statics[name]
        except KeyError:
            raise NameError(f"name '{name}' is not defined") from None

    def set_global(self, cls, name: str, value) -> None:
        if cls.state == "linked":
            self.initialize(cls)
        cls.statics[name] = value

    def get_field(self, obj, name: str):
        if isinstance(obj, GuestObject):
            return getattr(obj, name)
        raise AttributeError(f"'{type_name(obj)}' object has no attribute '{name}'")

    def set_field(self, obj, name: str, value) -> None:
        if not isinstance(obj, GuestObject):
            raise AttributeError(f"'{type_name(obj)}' object has no attribute '{name}'")
        if obj._vm_old:  # write barrier (generational collector)
            self.heap.remember(obj)
        setattr(obj, name, value)

    # ------------------------------------------------------------ containers

    def store_index(self, value, container, index) -> None:
        if type(container) is GuestDict:
            hashing(self, index)  # a str or tuple key: hashed by its size (work.py)
        if type(container) is GuestDict and index not in container:
            hash(index)
            self.heap.grow(container, SIZES["dict_item"])
        elif isinstance(container, str | range):
            raise TypeError(f"'{type_name(container)}' object does not support item assignment")
        if getattr(container, "_vm_old", False):  # write barrier (generational collector)
            self.heap.remember(container)
        container[index] = value

    def load_slice(self, value, lo, hi):
        """``value[lo:hi]``: a copy, charged by its length and to the heap (a slice of a
        tuple that is the whole tuple is the tuple itself, as in CPython)."""
        result = value[lo:hi]
        if type(value) is GuestList:
            self.charge(items(len(result)))
            return self.heap.new_list(result)
        if type(result) is str:
            self.charge(chars(len(result)))
            return self.heap.new_string(result)
        if type(result) is tuple and result is not value:
            self.charge(items(len(result)))
            return new_tuple(self, result)
        return result

    def load_index(self, container, key):
        """``container[key]`` for a str container or a key that is not an int: a str key is
        hashed and compared; a character taken out of a string is a new string (charged to
        the heap) unless CPython shares it (the 256 Latin-1 ones are shared)."""
        if type(container) is GuestDict or type(key) is str:
            hashing(self, key)  # a str or tuple key: hashed and compared by its size
        item = container[key]
        if type(container) is str and type(item) is str and (len(item) > 1 or ord(item) > 255):
            return self.heap.new_string(item)
        return item

    # ------------------------------------------------------------ comparisons (work.py)

    def equal(self, a, b) -> bool:
        return equality(self, a, b)

    def not_equal(self, a, b) -> bool:
        return not equality(self, a, b)

    def order(self, op: str, a, b) -> bool:
        ordering(self, a, b)
        return ORDERINGS[op](a, b)

    def contains(self, item, container) -> bool:
        membership(self, item, container)
        return item in container

    def not_contains(self, item, container) -> bool:
        return not self.contains(item, container)

    def build_list(self, items) -> GuestList:
        return self.heap.new_list(items)

    def build_dict(self, flat) -> GuestDict:
        d = self.heap.new_dict()
        for i in range(0, len(flat), 2):
            self.store_index(flat[i + 1], d, flat[i])
        return d

    def unpack(self, value, count: int) -> list:
        items = list(islice(self.get_iter(value), count + 1))
        if len(items) != count:
            more = len(items) > count
            raise ValueError(f"too many values to unpack (expected {count})" if more else
                             f"not enough values to unpack (expected {count}, got "
                             f"{len(items)})")
        items.reverse()  # first item on top of the stack
        return items

    def get_iter(self, value):
        if isinstance(value, GuestObject):
            raise TypeError(f"'{type_name(value)}' object is not iterable")
        if type(value) is str and not value.isascii():  # characters beyond Latin-1 are new
            return iter(map(self.character, value))
        if type(value) is range and not (-BIG_INT < value.start < BIG_INT
                                         and -BIG_INT < value.stop < BIG_INT):
            return iter(map(self.heap.new_int, value))  # each big int is a new object
        return iter(value)

    def character(self, char: str) -> str:
        """One character of a string being iterated, charged unless CPython shares it."""
        return char if ord(char) < 256 else self.heap.new_string(char)

    # ------------------------------------------------------------ arithmetic

    def check_length(self, n: int) -> None:
        if n > self.heap.limit:
            raise HeapExhausted(f"a {n}-character string exceeds the heap limit of "
                                f"{self.heap.limit} bytes")

    def check_string(self, s) -> None:
        self.check_length(len(s))

    def check_items(self, n: int, what: str) -> None:
        """Refuse, before the host builds it, a list or tuple of ``n`` items that cannot
        fit in the heap even after a collection (as an allocation would be refused)."""
        if n > self.heap.max_items():
            size = SIZES["list"] + SIZES["list_item"] * n
            try:
                if size > self.heap.limit:  # hopeless: no collection can make room
                    raise HeapExhausted
                self.heap.reserve(size)  # collects; fails if that frees too little
            except HeapExhausted:
                raise HeapExhausted(f"{what} too large for the heap") from None

    def add(self, a, b):
        if type(a) is str and type(b) is str:
            self.check_length(len(a) + len(b))
            self.charge(chars(len(a) + len(b)))
            return self.heap.new_string(a + b)
        elif type(a) is GuestList and type(b) is GuestList:
            self.charge(items(len(a) + len(b)))
            return self.heap.new_list(list.__add__(a, b))
        elif type(a) is tuple and type(b) is tuple:
            if not a or not b:  # CPython returns the other operand itself
                return b if not a else a
            self.check_items(len(a) + len(b), "tuple concatenation")
            self.charge(items(len(a) + len(b)))
            return new_tuple(self, a + b)
        if isinstance(a, GuestObject) or isinstance(b, GuestObject):
            raise TypeError(f"unsupported operand type(s) for +: '{type_name(a)}' and "
                            f"'{type_name(b)}'")
        result = a + b
        return self.heap.new_int(result) if type(result) is int else result

    def mul(self, a, b):
        if isinstance(a, int) and isinstance(b, int):
            if a.bit_length() + b.bit_length() > MAX_INT_BITS:
                raise OverflowError(f"integer product exceeds {MAX_INT_BITS} bits")
            self.charge(multiplication_work(a, b))
            return self.heap.new_int(a * b)
        seq, n = (a, b) if isinstance(b, int) else (b, a)
        if isinstance(seq, str | GuestList | tuple) and isinstance(n, int):
            size = len(seq) * max(n, 0)
            if type(seq) is str:
                self.check_length(size)
                self.charge(chars(size))
                return self.heap.new_string(seq * n)
            if type(seq) is tuple:
                if n == 1 or not size:  # CPython: the tuple itself, or the empty tuple
                    return seq if n == 1 else ()
                self.check_items(size, "tuple repetition")
                self.charge(items(size))
                return new_tuple(self, seq * n)
            self.check_items(size, "list repetition")
            self.charge(items(size))
            return self.heap.new_list(list.__mul__(seq, n))
        raise TypeError(f"unsupported operand type(s) for *: '{type_name(a)}' and "
                        f"'{type_name(b)}'")

    def mod(self, a, b):
        if isinstance(a, str):
            raise TypeError("string formatting with '%' is outside the language subset")
        self.charge(division_work(a, b))
        return self.new_number(a % b)

    def floordiv(self, a, b):
        self.charge(division_work(a, b))
        return self.new_number(a // b)

    def new_number(self, value):
        """``value``, charged to the heap if it is a big integer (``heap.value_size``)."""
        return self.heap.new_int(value) if type(value) is int else value

    def binary(self, op: str, a, b):
        """Generic path of the arithmetic instructions (the engines inline int+int)."""
        if op == "ADD":
            return self.add(a, b)
        if op == "MUL":
            return self.mul(a, b)
        if op == "MOD":
            return self.mod(a, b)
        if op == "SUB":
            return self.new_number(a - b)
        return self.floordiv(a, b)

    # ------------------------------------------------------------ str()

    def to_str(self, value) -> str:
        if type(value) is str:
            return value
        if isinstance(value, GuestObject):
            method = value._vm_cls.vtable.get("__str__")
            if method is None or method.owner.name == "object":
                return repr(value)
            result = self.call(method, (value,))
            if type(result) is not str:
                raise TypeError(f"__str__ returned non-string (type {type_name(result)})")
            return result
        return self.to_repr(value)

    def to_repr(self, value) -> str:
        """``repr(value)``: each piece written is charged, and the text to the heap."""
        return self.heap.new_string(guest_repr(value, self.heap.limit, self.charge_piece))

    def charge_piece(self, text: str) -> None:
        """Charge one piece of a ``repr`` being written (one step, plus its characters)."""
        self.charge(1 + chars(len(text)))


# ---------------------------------------------------------------- tuple methods
# CPython's Objects/tupleobject.c (tuple.count, tuple.index): each element compared is
# charged (work.py), and the messages are CPython's.

@method(tuple, "count", 1, 1)
def tuple_count(rt, tup, item):
    return count_equal(rt, tup, item)


@method(tuple, "index", 1, 3)
def tuple_index(rt, tup, item, start=0, stop=None):
    """``t.index(x[, start[, stop]])``: the bounds are clamped as a slice's are."""
    for bound in (start, stop):
        if bound is not None and type(bound) not in (int, bool):
            raise TypeError("slice indices must be integers or have an __index__ method")
    lo, hi, _ = slice(start, stop).indices(len(tup))
    for position in range(lo, hi):
        rt.charge(1)
        element = tup[position]
        if element is item or equality(rt, element, item):
            return position
    raise ValueError("tuple.index(x): x not in tuple")
