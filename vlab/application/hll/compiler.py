"""The compiler: a Python-subset syntax tree becomes class files.

One source file (a *module*) becomes:

* a module class (flag MODULE) holding the functions as static methods, the globals as its
  fields and the top-level statements as the static method ``<module>``, which the VM runs
  as the module's class initializer;
* one class file per ``class`` statement, whose ``def``\\ s become methods with ``self`` in
  local 0.

Code generation is a single recursive walk over the tree emitting stack code, in the style
of clox's single-pass compiler (Nystrom, *Crafting Interpreters*, ch. 17, 23) and javac
(exceptions via handler tables, ``finally`` copied onto every exit path: JVM Specification
sec. 3.13).  Names resolve at compile time: parameters and assigned names are locals,
other names are module globals (``LOAD_GLOBAL``); calls go to a module function
(``INVOKE_STATIC``), a class constructor (``NEW`` + ``INVOKE_SPECIAL __init__``), a method
(``INVOKE_VIRTUAL``) or a built-in (``INVOKE_NATIVE``).

The constructs of the course subset (issue 14) reuse these instructions plus natives:
``a ** b`` calls ``pow``; a tuple display calls ``_vm_tuple``; ``{x:spec}`` calls
``format``; a slice with a step calls ``_vm_slice``; a comprehension is a loop filling a
list or dict kept in a temporary local, its variables in temporary slots of their own
(:attr:`FunctionCompiler.scopes`); a ``lambda`` becomes a static method of the module
and its value a function object (``_vm_function``), called through ``_vm_call``;
``sorted(xs, key=f)`` and friends pass their keywords positionally to ``_vm_sorted_key``,
``_vm_min_key``, ``_vm_max_key``.
Natives whose names start with ``_vm_`` are the compiler's: a program cannot name them.

Simplifications: locals start as ``None`` (CPython would raise UnboundLocalError when a
local is read before assignment); a generator expression is evaluated as a list
comprehension; a lambda sees its parameters and the globals, not the locals around it
(the compiler rejects such a closure).
"""

from __future__ import annotations

import ast
import difflib
from pathlib import Path

from . import syntax
from .assembler import Assembler, Label
from .classfile import FLAG_MODULE, FLAG_STATIC, ClassFile, MethodInfo
from .constpool import ConstPool
from .errors import CompileError
from .natives import BUILTINS, METHODS, NATIVE_VALUE_TYPES
from .stdlib import CLASS_NAMES, VALUE_TYPES
from .stdlib import SOURCE as STDLIB_SOURCE
from .syntax import KEYWORDS, METHOD_KEYWORDS, outside
from .values import is_reserved_name

BINARY = {ast.Add: "ADD", ast.Sub: "SUB", ast.Mult: "MUL", ast.FloorDiv: "FLOORDIV",
          ast.Mod: "MOD"}
COMPARE = {ast.Eq: "EQ", ast.NotEq: "NE", ast.Lt: "LT", ast.LtE: "LE", ast.Gt: "GT",
           ast.GtE: "GE", ast.Is: "IS", ast.IsNot: "IS_NOT", ast.In: "IN", ast.NotIn: "NOT_IN"}
MAX_COUNT = 255  # count operands are one byte
POWER = "pow"          # ``a ** b`` calls the native ``pow`` (natives.py)
# The natives only the compiler calls (tuple displays, function values, keyword forms):
# their names start with the reserved prefix, so a program cannot name them.
INTERNAL_PREFIX = "_vm_"
# Methods some receiver can have: the natives of str, list and dict and the system classes'
# methods.  A call of any other name must be a method of a class of the program itself.
NATIVE_METHOD_NAMES = frozenset(name for _, name in METHODS)
SYSTEM_METHOD_NAMES = frozenset(node.name for node in ast.walk(ast.parse(STDLIB_SOURCE))
                                if isinstance(node, ast.FunctionDef))


def compile_source(source: str, filename: str = "main.py", module: str | None = None,
                   system: bool = False) -> list[ClassFile]:
    """Compile ``source``; the module class comes first in the returned list."""
    """Every problem is reported, in line order, in one :class:`CompileError`: the
    constructs outside the subset (``syntax.problems``) and what the code generator refuses
    (unknown names, misplaced statements...), one message per position."""
    module = module or module_name(filename)
    try:
        tree = ast.parse(source, filename)
        found = syntax.problems(tree, filename)
        compiler = ModuleCompiler(tree, source, filename, module, system,
                                  outside_subset=bool(found))
        try:
            classes = compiler.compile()
        except CompileError as exc:
            found += exc.problems
    except SyntaxError as exc:
        raise CompileError(f"Syntax error: {exc.msg}.", exc.lineno or 0, exc.offset or 0,
                           filename) from None
    except ValueError as exc:  # a lone surrogate or a NUL byte in the text itself
        raise CompileError(f"The source is not valid text ({exc}): save it as UTF-8.", 0, 0,
                           filename) from None
    except (RecursionError, MemoryError):
        raise CompileError("Expressions nested too deeply for the compiler: split them into "
                           "several statements.", 0, 0, filename) from None
    if found:
        first_per_position = {}
        for problem in found:
            first_per_position.setdefault((problem.line, problem.col), problem)
        raise CompileError.several(list(first_per_position.values()))
    return classes


def compile_file(path: str | Path) -> list[ClassFile]:
    path = Path(path)
    return compile_source(path.read_text(), path.name)


def module_name(filename: str) -> str:
    stem = Path(filename).stem
    return stem if stem.isidentifier() else "main"


class ModuleCompiler:
    def __init__(self, tree, source, filename, module, system, outside_subset=False):
        self.tree, self.source, self.filename = tree, source, filename
        # True when syntax.problems found constructs outside the subset: the code generator
        # may then meet trees it was not written for; it skips them (they are reported)
        self.outside_subset = outside_subset
        self.module, self.system = module, system
        body = tree.body
        self.functions = {n.name: n for n in body if isinstance(n, ast.FunctionDef)}
        self.classes = {n.name: n for n in body if isinstance(n, ast.ClassDef)}
        self.known_classes = set(self.classes) | (set() if system else set(CLASS_NAMES))
        self.method_names = NATIVE_METHOD_NAMES | SYSTEM_METHOD_NAMES | {
            item.name for cls in self.classes.values() for item in cls.body
            if isinstance(item, ast.FunctionDef)}
        self.problems: list[CompileError] = []   # every error found, reported together
        self.globals = sorted(_assigned_names(
            [n for n in body if not isinstance(n, ast.FunctionDef | ast.ClassDef)])
            | {g for f in self.functions.values() for g in _global_decls(f)})
        for name, node in {**self.functions, **self.classes}.items():
            if name in self.globals:
                self.problems.append(self.error(
                    node, f"'{name}' is both a function or class and a variable: rename one."))

    def error(self, node, message) -> CompileError:
        return CompileError(message, getattr(node, "lineno", 0),
                            getattr(node, "col_offset", 0) + 1, self.filename)

    def compile(self) -> list[ClassFile]:
        if not self.system and self.module in CLASS_NAMES:
            raise CompileError(f"The module name '{self.module}' is the name of a system "
                               "class: rename the file.", 1, 1, self.filename)
        pool = self.pool = ConstPool()
        self.lambdas: list[MethodInfo] = []  # compiled lambdas, static methods of the module
        top = [n for n in self.tree.body if not isinstance(n, ast.FunctionDef | ast.ClassDef)]
        methods = [self.attempt(FunctionCompiler(self, pool, None, "<module>", [], top).method)]
        for fn in self.functions.values():
            methods.append(self.attempt(FunctionCompiler(self, pool, None, fn.name, fn.args,
                                                         fn.body, fn).method))
        classes = [self.attempt(self.compile_class, c) for c in self.classes.values()]
        methods += self.lambdas
        if not self.problems and max(len(pool), len(self.globals), len(methods)) > U16_MAX:
            raise CompileError(f"The module has {len(self.globals)} globals, {len(methods)} "
                               f"functions and {len(pool)} constants: a class file counts each "
                               f"in 16 bits (at most {U16_MAX}); split it into modules.",
                               1, 1, self.filename)
        if self.problems:
            raise self.collected()
        module = ClassFile(self.module, "object", pool, FLAG_MODULE, self.filename,
                           self.globals, methods, self.source)
        return [module] + classes

    def collected(self) -> CompileError:
        """One error carrying every problem recorded (None marks are problems that
        syntax.problems reports: the caller adds those)."""
        problems = [problem for problem in self.problems if problem is not None]
        if problems:
            return CompileError.several(problems)
        error = CompileError("constructs outside the subset", 0, 0, self.filename)
        error.problems = []
        return error

    def attempt(self, compile_part, *args):
        """Compile one part; a CompileError is recorded (reported with the others later)."""
        try:
            return compile_part(*args)
        except CompileError as error:
            self.problems.append(error)
            return None

    def compile_class(self, node: ast.ClassDef) -> ClassFile:
        if node.name == self.module:
            raise self.error(node, f"Class '{node.name}' has the same name as its module: "
                             "rename the class or the file.")
        if not self.system and node.name in CLASS_NAMES + VALUE_TYPES:
            raise self.error(node, f"Class '{node.name}' would shadow the system class of "
                             "that name (class loaders ask the bootstrap loader first): "
                             "rename it.")
        base = node.bases[0].id if node.bases else "object"
        if base not in self.known_classes:
            raise self.error(node, f"Unknown base class '{base}': define it in this file or "
                             "use a system class.")
        if self.system and node.name == "object":
            base = None
        pool = ConstPool()
        methods, fields = [], set()
        for item in node.body:
            if isinstance(item, ast.FunctionDef):
                if not item.args.args:
                    raise self.error(item, f"Method '{item.name}' needs a 'self' parameter.")
                methods.append(FunctionCompiler(self, pool, node, item.name, item.args,
                                                item.body, item).method())
                fields |= _self_fields(item)
        if None in methods:              # a method with errors: they are reported together
            return None
        return ClassFile(node.name, base, pool, 0, self.filename, sorted(fields), methods,
                         self.source)


class FunctionCompiler:
    """Compiles one method body into a :class:`MethodInfo`."""

    def __init__(self, module: ModuleCompiler, pool: ConstPool, cls: ast.ClassDef | None,
                 name: str, args, body: list, node=None):
        self.m, self.pool, self.cls, self.name, self.body = module, pool, cls, name, body
        self.asm = Assembler()
        self.is_module_code = name == "<module>"
        params = [a.arg for a in args.args] if args else []
        self.defaults = [self.pool.constant(d.value) for d in args.defaults] if args else []
        self.arity = len(params)
        self.global_names = set(_global_decls(node)) if node is not None else set()
        self.slots: dict[str, int] = {}
        for p in params:
            self.slots[p] = len(self.slots)
        if not self.is_module_code:
            for name_ in sorted(_assigned_names(body) - self.global_names - set(params)):
                self.slots[name_] = len(self.slots)
        self.n_named = len(self.slots)
        self.n_temps = 0
        # ("loop", break, continue) / ("finally", body) / ("except", exception slot)
        self.contexts: list[tuple] = []
        # comprehension variables, innermost last: name -> temporary slot (they do not
        # leak into the function, as in Python 3)
        self.scopes: list[dict[str, int]] = []

    def error(self, node, message):
        return self.m.error(node, message)

    def temp(self) -> int:
        self.n_temps += 1
        return self.n_named + self.n_temps - 1

    def method(self) -> MethodInfo:
        from .verifier import max_stack_depth

        if self.n_named > U16_MAX:
            raise self.error(self.body[0] if self.body else None, too_big(self.name))
        for slot in self.slots.values():
            if slot >= self.arity:
                self.asm.emit("LOAD_CONST", self.pool.constant(None))
                self.asm.emit("STORE_LOCAL", slot)
        problems_before = len(self.m.problems)
        try:
            self.statements(self.body)
            if len(self.m.problems) > problems_before:
                return None              # the code is incomplete: only the errors matter
            self.asm.emit("LOAD_CONST", self.pool.constant(None))
            self.asm.emit("RETURN")
            code, handlers, lines = self.asm.finish()
        except OverflowError:            # an operand does not fit its 16-bit field
            raise self.error(self.body[0] if self.body else None, too_big(self.name)) from None
        if self.n_named + self.n_temps > U16_MAX:
            raise self.error(self.body[0] if self.body else None, too_big(self.name))
        if len(code) > 0xFFFF:
            raise self.error(self.body[0] if self.body else None,
                             f"Function '{self.name}' is too long (over 64 KiB of bytecode): "
                             "split it.")
        flags = FLAG_STATIC if self.cls is None else 0
        max_locals = self.n_named + self.n_temps
        depth = max_stack_depth(code, handlers, self.arity, max_locals)
        return MethodInfo(self.name, flags, self.arity, self.defaults, depth, max_locals,
                          code, handlers, lines)

    # ------------------------------------------------------------ statements

    def statements(self, body: list) -> None:
        """Compile each statement; an error is recorded and compilation goes on with the
        next statement, so that one run reports every problem."""
        for stmt in body:
            depth = len(self.contexts)
            try:
                self.statement(stmt)
            except CompileError as error:
                self.m.problems.append(error)
                del self.contexts[depth:]
            except (RecursionError, MemoryError):
                raise
            except Exception:
                if not self.m.outside_subset:
                    raise
                del self.contexts[depth:]       # already reported by syntax.problems
                self.m.problems.append(None)    # (marks this function as incomplete)

    def statement(self, stmt) -> None:
        self.asm.line = stmt.lineno
        method = getattr(self, "stmt_" + type(stmt).__name__, None)
        if method is None:
            raise self.error(stmt, f"A '{type(stmt).__name__}' statement is not allowed here.")
        method(stmt)

    def stmt_FunctionDef(self, node):
        raise self.error(node, outside("a nested function",
                                       "define it at the top level of the file") + ".")

    def stmt_ClassDef(self, node):
        raise self.error(node, outside("a class defined inside a function",
                                       "define it at the top level of the file") + ".")

    def stmt_Pass(self, node):
        pass

    def stmt_Global(self, node):
        if self.is_module_code:
            raise self.error(node, "A 'global' declaration belongs inside a function: at "
                             "the top level every name is global already.")

    def stmt_Expr(self, node):
        if isinstance(node.value, ast.Constant):
            return  # a docstring or bare constant: no code
        self.expr(node.value)
        self.asm.emit("POP")

    def stmt_Assign(self, node):
        if isinstance(node.value, ast.Tuple) and all(
                isinstance(t, ast.Tuple | ast.List) for t in node.targets):
            self.build_list(node.value.elts, node)   # a, b = x, y: no tuple is made
        else:
            self.expr(node.value)
        for i, target in enumerate(node.targets):
            if i < len(node.targets) - 1:
                self.asm.emit("DUP")
            self.store(target)

    def stmt_AugAssign(self, node):
        op = BINARY.get(type(node.op), POWER)
        target = node.target
        if isinstance(target, ast.Name):
            self.load_name(target)
            self.expr(node.value)
            self.binary(op)
            self.store(target)
        elif isinstance(target, ast.Attribute):
            self.check_field_name(target)
            obj = self.temp()
            self.expr(target.value)
            self.asm.emit("STORE_LOCAL", obj)
            self.asm.emit("LOAD_LOCAL", obj)
            self.asm.emit("LOAD_FIELD", self.pool.utf8(target.attr))
            self.expr(node.value)
            self.binary(op)
            self.asm.emit("LOAD_LOCAL", obj)
            self.asm.emit("STORE_FIELD", self.pool.utf8(target.attr))
        else:
            self.aug_subscript(target, node, op)

    def aug_subscript(self, target, node, op):
        if isinstance(target.slice, ast.Slice):
            raise self.error(node, outside("augmented assignment to a slice") + ".")
        obj, idx = self.temp(), self.temp()
        self.expr(target.value)
        self.asm.emit("STORE_LOCAL", obj)
        self.expr(target.slice)
        self.asm.emit("STORE_LOCAL", idx)
        self.asm.emit("LOAD_LOCAL", obj)
        self.asm.emit("LOAD_LOCAL", idx)
        self.asm.emit("LOAD_INDEX")
        self.expr(node.value)
        self.binary(op)
        self.asm.emit("LOAD_LOCAL", obj)
        self.asm.emit("LOAD_LOCAL", idx)
        self.asm.emit("STORE_INDEX")

    def stmt_Return(self, node):
        if self.is_module_code:
            raise self.error(node, "'return' is only allowed inside a function.")
        returns_value = not (node.value is None or (isinstance(node.value, ast.Constant)
                                                    and node.value.value is None))
        if self.cls is not None and self.name == "__init__" and returns_value:
            raise self.error(node, "'__init__' must not return a value (CPython raises "
                             "TypeError: __init__() should return None): write a bare "
                             "'return'.")
        self.expr(node.value) if node.value is not None else self.const(None)
        if any(c[0] == "finally" for c in self.contexts):
            slot = self.temp()
            self.asm.emit("STORE_LOCAL", slot)
            self.unwind(stop_at_loop=False)
            self.asm.emit("LOAD_LOCAL", slot)
        self.asm.emit("RETURN")

    def stmt_If(self, node):
        else_label, end = Label(), Label()
        self.expr(node.test)
        self.asm.emit("JUMP_IF_FALSE", else_label)
        self.statements(node.body)
        if node.orelse:
            self.asm.emit("JUMP", end)
        self.asm.place(else_label)
        self.statements(node.orelse)
        self.asm.place(end)

    def stmt_While(self, node):
        top, end = Label(), Label()
        self.asm.place(top)
        self.expr(node.test)
        self.asm.emit("JUMP_IF_FALSE", end)
        self.loop_body(node.body, end, top)
        self.asm.emit("JUMP", top)
        self.asm.place(end)

    def stmt_For(self, node):
        top, end, it = Label(), Label(), self.temp()
        self.expr(node.iter)
        self.asm.emit("GET_ITER")
        self.asm.emit("STORE_LOCAL", it)
        self.asm.place(top)
        self.asm.line = node.lineno
        self.asm.emit("FOR_ITER", it, end)
        self.store(node.target)
        self.loop_body(node.body, end, top)
        self.asm.emit("JUMP", top)
        self.asm.place(end)

    def loop_body(self, body, brk, cont):
        self.contexts.append(("loop", brk, cont))
        self.statements(body)
        self.contexts.pop()

    def stmt_Break(self, node):
        self.jump_out(node, 1)

    def stmt_Continue(self, node):
        self.jump_out(node, 2)

    def jump_out(self, node, which):
        loop = next((c for c in reversed(self.contexts) if c[0] == "loop"), None)
        if loop is None:
            raise self.error(node, f"'{type(node).__name__.lower()}' is only allowed inside a "
                             "loop.")
        self.unwind(stop_at_loop=True)
        self.asm.emit("JUMP", loop[which])

    def unwind(self, stop_at_loop: bool) -> None:
        """Emit the ``finally`` bodies between here and the loop (or the function exit)."""
        saved = self.contexts
        for i in range(len(saved) - 1, -1, -1):
            ctx = saved[i]
            if ctx[0] == "loop" and stop_at_loop:
                break
            if ctx[0] == "finally":
                self.contexts = saved[:i]
                self.statements(ctx[1])
        self.contexts = saved

    def stmt_Assert(self, node):
        """``assert test, message``: raise AssertionError(message) when test is false
        (always checked: the VM has no ``-O``)."""
        ok = Label()
        self.expr(node.test)
        self.asm.emit("JUMP_IF_TRUE", ok)
        self.construct("AssertionError", [node.msg] if node.msg is not None else [], node)
        self.asm.emit("RAISE")
        self.asm.place(ok)

    def stmt_Raise(self, node):
        if node.exc is None:
            handler = next((c for c in reversed(self.contexts) if c[0] == "except"), None)
            if handler is None:
                raise self.error(node, "A bare 'raise' is only allowed inside an except "
                                 "clause.")
            self.asm.emit("LOAD_LOCAL", handler[1])
        elif isinstance(node.exc, ast.Name) and node.exc.id in self.m.known_classes:
            self.construct(node.exc.id, [], node)
        else:
            self.expr(node.exc)
        self.asm.emit("RAISE")

    def stmt_Try(self, node):
        asm = self.asm
        start, end, after = Label(), Label(), Label()
        catch_all = Label() if node.finalbody else None
        covered = []  # ranges the finally catch-all covers
        if node.finalbody:
            self.contexts.append(("finally", node.finalbody))
        asm.place(start)
        self.statements(node.body)
        asm.place(end)
        covered.append((start, end))
        if node.finalbody:
            self.contexts.pop()
            self.statements(node.finalbody)
        asm.emit("JUMP", after)
        entries = []
        for clause in node.handlers:
            entries.append(self.except_clause(clause, start, end, after, node, covered))
        if node.finalbody:
            asm.place(catch_all)
            exc = self.temp()
            asm.emit("STORE_LOCAL", exc)
            self.statements(node.finalbody)
            asm.emit("LOAD_LOCAL", exc)
            asm.emit("RAISE")
        for entry in entries:
            asm.handler(*entry)
        for lo, hi in covered if catch_all else ():
            asm.handler(lo, hi, catch_all, 0)
        asm.place(after)

    def except_clause(self, clause, start, end, after, node, covered):
        asm = self.asm
        asm.line = clause.lineno
        catch = 0
        if clause.type is not None:
            if clause.type.id not in self.m.known_classes:
                raise self.error(clause, f"Unknown exception class '{clause.type.id}': "
                                 "define it as a class or use a built-in exception.")
            catch = self.pool.class_ref(clause.type.id)
        here, body_end = Label(), Label()
        asm.place(here)
        exc = self.temp()
        asm.emit("STORE_LOCAL", exc)
        if clause.name:
            asm.emit("LOAD_LOCAL", exc)
            self.store_name(clause.name, clause)
        if node.finalbody:
            self.contexts.append(("finally", node.finalbody))
        self.contexts.append(("except", exc))
        self.statements(clause.body)
        self.contexts.pop()
        asm.place(body_end)
        covered.append((here, body_end))
        if node.finalbody:
            self.contexts.pop()
            self.statements(node.finalbody)
        asm.emit("JUMP", after)
        return (start, end, here, catch)

    # ------------------------------------------------------------ stores

    def store(self, target) -> None:
        if isinstance(target, ast.Name):
            self.store_name(target.id, target)
        elif isinstance(target, ast.Attribute):
            self.check_field_name(target)
            self.expr(target.value)
            self.asm.emit("STORE_FIELD", self.pool.utf8(target.attr))
        elif isinstance(target, ast.Subscript):
            if isinstance(target.slice, ast.Slice):
                raise self.error(target, outside("assignment to a slice") + ".")
            self.expr(target.value)
            self.expr(target.slice)
            self.asm.emit("STORE_INDEX")
        elif isinstance(target, ast.Tuple | ast.List):
            if len(target.elts) > MAX_COUNT:
                raise self.error(target, "Unpacking more than 255 names at once is past the "
                                 "VM's limit.")
            self.asm.emit("UNPACK", len(target.elts))
            for elt in target.elts:
                self.store(elt)
        else:
            raise self.error(target, outside(f"assigning to a '{type(target).__name__}' "
                                             "expression") + ".")

    def scoped(self, name: str) -> int | None:
        """The slot of comprehension variable ``name``, if one is in scope."""
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    def store_name(self, name: str, node) -> None:
        slot = self.scoped(name)
        if slot is not None:
            return self.asm.emit("STORE_LOCAL", slot)
        self.check_not_callable_name(name, node)
        if name in self.slots and not self.is_module_code:
            self.asm.emit("STORE_LOCAL", self.slots[name])
        else:
            self.asm.emit("STORE_GLOBAL", self.pool.field_ref(self.m.module, name))

    def check_field_name(self, node):
        if is_reserved_name(node.attr):
            raise self.error(node, f"The reserved attribute name '{node.attr}' belongs to "
                             "the VM: choose another name.")

    def check_not_callable_name(self, name, node):
        if name in self.m.functions or name in self.m.known_classes:
            raise self.error(node, f"'{name}' names a function or class; it cannot be used as "
                             "a value.")

    # ------------------------------------------------------------ expressions

    def const(self, value) -> None:
        self.asm.emit("LOAD_CONST", self.pool.constant(value))

    def expr(self, node) -> None:
        method = getattr(self, "expr_" + type(node).__name__, None)
        if method is None:
            raise self.error(node, f"A '{type(node).__name__}' expression is not allowed "
                             "here.")
        method(node)

    def expr_Constant(self, node):
        self.const(node.value)

    def expr_Name(self, node):
        self.load_name(node)

    def load_name(self, node):
        name = node.id
        if name == "__name__":
            return self.const("__main__")
        slot = self.scoped(name)
        if slot is not None:
            return self.asm.emit("LOAD_LOCAL", slot)
        if self.is_variable(name):
            pass
        elif name in self.m.functions:       # a function as a value (key=f)
            self.const(self.m.module)
            self.const(name)
            return self.asm.emit("INVOKE_NATIVE", self.pool.utf8("_vm_function"), 2)
        elif name in BUILTINS and name != "print" and not name.startswith(INTERNAL_PREFIX):
            self.const(name)                 # a built-in as a value (key=len)
            return self.asm.emit("INVOKE_NATIVE", self.pool.utf8("_vm_builtin"), 1)
        self.check_not_callable_name(name, node)
        if name in self.slots and not self.is_module_code:
            self.asm.emit("LOAD_LOCAL", self.slots[name])
        else:
            self.asm.emit("LOAD_GLOBAL", self.pool.field_ref(self.m.module, name))

    def is_variable(self, name: str) -> bool:
        """Whether ``name`` is a variable here (a comprehension variable, a local, or an
        assigned module global), so that a call ``name(...)`` calls its value."""
        if self.scoped(name) is not None:
            return True
        if not self.is_module_code and name in self.slots:
            return True
        return name in self.m.globals

    def binary(self, op: str) -> None:
        if op == POWER:
            self.asm.emit("INVOKE_NATIVE", self.pool.utf8(POWER), 2)
        else:
            self.asm.emit(op)

    def expr_BinOp(self, node):
        self.expr(node.left)
        self.expr(node.right)
        self.binary(BINARY.get(type(node.op), POWER))

    def expr_UnaryOp(self, node):
        self.expr(node.operand)
        self.asm.emit("NEG" if isinstance(node.op, ast.USub) else "NOT")

    def expr_BoolOp(self, node):
        end = Label()
        jump = "JUMP_IF_FALSE" if isinstance(node.op, ast.And) else "JUMP_IF_TRUE"
        for value in node.values[:-1]:
            self.expr(value)
            self.asm.emit("DUP")
            self.asm.emit(jump, end)
            self.asm.emit("POP")
        self.expr(node.values[-1])
        self.asm.place(end)

    def expr_Compare(self, node):
        self.expr(node.left)
        if len(node.ops) == 1:
            self.expr(node.comparators[0])
            self.asm.emit(COMPARE[type(node.ops[0])])
            return
        end, tmp = Label(), self.temp()
        for i, (op, right) in enumerate(zip(node.ops, node.comparators, strict=True)):
            if i > 0:
                self.asm.emit("LOAD_LOCAL", tmp)
            self.expr(right)
            if i < len(node.ops) - 1:
                self.asm.emit("DUP")
                self.asm.emit("STORE_LOCAL", tmp)
            self.asm.emit(COMPARE[type(op)])
            if i < len(node.ops) - 1:
                self.asm.emit("DUP")
                self.asm.emit("JUMP_IF_FALSE", end)
                self.asm.emit("POP")
        self.asm.place(end)

    def expr_IfExp(self, node):
        other, end = Label(), Label()
        self.expr(node.test)
        self.asm.emit("JUMP_IF_FALSE", other)
        self.expr(node.body)
        self.asm.emit("JUMP", end)
        self.asm.place(other)
        self.expr(node.orelse)
        self.asm.place(end)

    def expr_Attribute(self, node):
        self.check_field_name(node)
        self.expr(node.value)
        self.asm.emit("LOAD_FIELD", self.pool.utf8(node.attr))

    def expr_Subscript(self, node):
        self.expr(node.value)
        if isinstance(node.slice, ast.Slice):
            bounds = (node.slice.lower, node.slice.upper, node.slice.step)
            for bound in bounds if node.slice.step is not None else bounds[:2]:
                self.expr(bound) if bound is not None else self.const(None)
            if node.slice.step is None:
                self.asm.emit("LOAD_SLICE")
            else:                                # s[::-1]: a native takes the step
                self.asm.emit("INVOKE_NATIVE", self.pool.utf8("_vm_slice"), 4)
        else:
            self.expr(node.slice)
            self.asm.emit("LOAD_INDEX")

    def expr_List(self, node):
        self.build_list(node.elts, node)

    def build_list(self, elts, node):
        if len(elts) > MAX_COUNT:
            raise self.error(node, "A list display with more than 255 items is past the "
                             "VM's limit: build the list with append().")
        for elt in elts:
            self.expr(elt)
        self.asm.emit("BUILD_LIST", len(elts))

    def expr_Tuple(self, node):
        if len(node.elts) > MAX_COUNT:
            raise self.error(node, "A tuple display with more than 255 items is past the "
                             "VM's limit: build a list and call tuple().")
        for elt in node.elts:
            self.expr(elt)
        self.asm.emit("INVOKE_NATIVE", self.pool.utf8("_vm_tuple"), len(node.elts))

    # ------------------------------------------------------------ comprehensions

    def expr_ListComp(self, node):
        self.comprehension(node, "BUILD_LIST")

    def expr_GeneratorExp(self, node):
        """Simplified: a generator expression is evaluated as a list comprehension (all
        its items at once), which gives the same output where the subset uses it: as the
        argument of sum(), min(), max(), any(), all(), sorted(), list(), "".join()..."""
        self.comprehension(node, "BUILD_LIST")

    def expr_DictComp(self, node):
        self.comprehension(node, "BUILD_DICT")

    def comprehension(self, node, build: str) -> None:
        """A loop that fills a new list or dict kept in a temporary local; its variables
        get temporary slots of their own (Python 3 scoping: they do not leak)."""
        result = self.temp()
        self.asm.emit(build, 0)
        self.asm.emit("STORE_LOCAL", result)
        self.generators(node, 0, result)
        self.asm.emit("LOAD_LOCAL", result)

    def generators(self, node, i: int, result: int) -> None:
        gen = node.generators[i]
        top, end, it = Label(), Label(), self.temp()
        self.expr(gen.iter)     # the first iterable is evaluated in the enclosing scope
        self.asm.emit("GET_ITER")
        self.asm.emit("STORE_LOCAL", it)
        scope = {}
        for name in sorted({n.id for n in ast.walk(gen.target) if isinstance(n, ast.Name)}):
            scope[name] = self.temp()
        self.scopes.append(scope)
        try:
            self.asm.place(top)
            self.asm.emit("FOR_ITER", it, end)
            self.store(gen.target)
            for condition in gen.ifs:
                self.expr(condition)
                self.asm.emit("JUMP_IF_FALSE", top)
            if i + 1 < len(node.generators):
                self.generators(node, i + 1, result)
            elif isinstance(node, ast.DictComp):
                key = self.temp()
                self.expr(node.key)
                self.asm.emit("STORE_LOCAL", key)
                self.expr(node.value)
                self.asm.emit("LOAD_LOCAL", result)
                self.asm.emit("LOAD_LOCAL", key)
                self.asm.emit("STORE_INDEX")
            else:
                self.asm.emit("LOAD_LOCAL", result)
                self.expr(node.elt)
                self.asm.emit("INVOKE_VIRTUAL", self.pool.utf8("append"), 1)
                self.asm.emit("POP")
            self.asm.emit("JUMP", top)
            self.asm.place(end)
        finally:
            self.scopes.pop()

    # ------------------------------------------------------------ lambdas

    def expr_Lambda(self, node):
        """A lambda becomes a static method of the module (named after its position) and
        its value a function object.  Simplified: it may use its parameters and module
        globals, not the local variables of the function around it (no closures)."""
        params = {a.arg for n in ast.walk(node) if isinstance(n, ast.Lambda)
                  for a in n.args.args}
        for name in ast.walk(node.body):
            if (isinstance(name, ast.Name) and name.id not in params
                    and (self.scoped(name.id) is not None
                         or (name.id in self.slots and not self.is_module_code))):
                raise self.error(name, outside(
                    f"a lambda that uses the local variable '{name.id}' of the code around "
                    "it (a closure)", "pass it as a parameter or use a global") + ".")
        if any(not isinstance(d, ast.Constant) for d in node.args.defaults):
            raise self.error(node, outside("a default value that is not a constant") + ".")
        name = f"{INTERNAL_PREFIX}lambda_{node.lineno}_{node.col_offset + 1}"
        body = [ast.copy_location(ast.Return(value=node.body), node.body)]
        method = FunctionCompiler(self.m, self.m.pool, None, name, node.args, body,
                                  node).method()
        if method is None:
            return
        self.m.lambdas.append(method)
        self.const(self.m.module)
        self.const(name)
        self.asm.emit("INVOKE_NATIVE", self.pool.utf8("_vm_function"), 2)

    def expr_Dict(self, node):
        if len(node.keys) > MAX_COUNT:
            raise self.error(node, "A dict display with more than 255 items is past the "
                             "VM's limit: fill the dict in a loop.")
        for key, value in zip(node.keys, node.values, strict=True):
            self.expr(key)
            self.expr(value)
        self.asm.emit("BUILD_DICT", len(node.keys))

    def expr_JoinedStr(self, node):
        if not node.values:
            return self.const("")
        for i, part in enumerate(node.values):
            if isinstance(part, ast.Constant):
                self.const(part.value)
            elif part.format_spec is not None:     # {value:spec}: format(value, spec)
                self.expr(part.value)
                if part.conversion in (ord("r"), ord("s")):
                    native = "repr" if part.conversion == ord("r") else "str"
                    self.asm.emit("INVOKE_NATIVE", self.pool.utf8(native), 1)
                self.expr(part.format_spec)
                self.asm.emit("INVOKE_NATIVE", self.pool.utf8("format"), 2)
            else:
                self.expr(part.value)
                native = "repr" if part.conversion == ord("r") else "str"
                self.asm.emit("INVOKE_NATIVE", self.pool.utf8(native), 1)
            if i > 0:
                self.asm.emit("ADD")

    def expr_Call(self, node):
        self.asm.line = node.lineno
        if isinstance(node.func, ast.Attribute):
            return self.method_call(node)
        name = node.func.id
        if node.keywords and name != "print":
            return self.keyword_call(name, node)
        if self.is_variable(name):               # a function value: f = lambda x: ...
            self.load_name(node.func)
            self.arguments(node.args, node)
            self.asm.emit("INVOKE_NATIVE", self.pool.utf8("_vm_call"), len(node.args) + 1)
        elif name in self.m.functions:
            self.arguments(node.args, node)
            arity = len(node.args)
            self.asm.emit("INVOKE_STATIC", self.pool.method_ref(self.m.module, name, arity),
                          arity)
        elif name in self.m.known_classes:
            self.construct(name, node.args, node)
        elif name == "isinstance":
            self.isinstance(node)
        elif name == "print":
            self.print_call(node)
        elif name in BUILTINS and not name.startswith(INTERNAL_PREFIX):
            lo, hi = BUILTINS[name]
            if not lo <= len(node.args) <= hi:
                raise self.error(node, f"{name}() takes {_count(lo, hi, 'argument')} "
                                 f"({len(node.args)} given).")
            self.arguments(node.args, node)
            self.asm.emit("INVOKE_NATIVE", self.pool.utf8(name), len(node.args))
        elif name == "super":
            raise self.error(node, outside("super() other than as 'super().method(...)'")
                             + ".")
        else:
            raise self.error(node, f"Call of unknown function '{name}': define it with "
                             "'def' or use one of the subset's built-ins.")

    def keyword_call(self, name: str, node):
        """``sorted(xs, key=f, reverse=True)``, ``min(xs, key=f)``: the keywords become
        positional arguments of an internal native, in a fixed order, defaults filled in."""
        given = {k.arg: k.value for k in node.keywords}
        if name == "sorted":
            if len(node.args) != 1:
                raise self.error(node, f"sorted expected 1 argument, got {len(node.args)}.")
            self.arguments(node.args, node)
            self.keyword_values(given, KEYWORDS[name])
            self.asm.emit("INVOKE_NATIVE", self.pool.utf8("_vm_sorted_key"), 3)
        else:                                    # min or max with key=
            if not node.args:
                raise self.error(node, f"{name} expected at least 1 argument, got 0.")
            self.keyword_values(given, KEYWORDS[name])
            self.arguments(node.args, node)
            self.asm.emit("INVOKE_NATIVE", self.pool.utf8(f"_vm_{name}_key"),
                          len(node.args) + 1)

    def keyword_values(self, given: dict, names: tuple[str, ...]) -> None:
        for name in names:
            self.expr(given[name]) if name in given else self.const(
                False if name == "reverse" else None)

    def arguments(self, args, node):
        if len(args) > MAX_COUNT - 3:
            raise self.error(node, f"Too many arguments: the VM's limit is {MAX_COUNT - 3}.")
        for arg in args:
            self.expr(arg)

    def construct(self, cls: str, args, node):
        self.asm.emit("NEW", self.pool.class_ref(cls))
        self.asm.emit("DUP")
        self.arguments(args, node)
        self.asm.emit("INVOKE_SPECIAL", self.pool.method_ref(cls, "__init__", len(args) + 1),
                      len(args))
        self.asm.emit("POP")

    def method_call(self, node):
        func = node.func
        receiver = func.value
        is_super = (isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name)
                    and receiver.func.id == "super")
        if is_super:
            if self.cls is None or receiver.args:
                raise self.error(node, "super() is only allowed inside a method, without "
                                 "arguments.")
            base = self.cls.bases[0].id if self.cls.bases else "object"
            self.asm.emit("LOAD_LOCAL", 0)
            self.arguments(node.args, node)
            ref = self.pool.method_ref(base, func.attr, len(node.args) + 1)
            self.asm.emit("INVOKE_SPECIAL", ref, len(node.args))
        elif isinstance(receiver, ast.Name) and receiver.id in self.m.known_classes:
            if not node.args:
                raise self.error(node, "Calling a method on a class needs 'self' as its "
                                 "first argument.")
            self.arguments(node.args, node)
            ref = self.pool.method_ref(receiver.id, func.attr, len(node.args))
            self.asm.emit("INVOKE_SPECIAL", ref, len(node.args) - 1)
        elif node.keywords:                      # xs.sort(key=f, reverse=True)
            if node.args:
                raise self.error(node, f"{func.attr}() takes no positional arguments.")
            self.expr(receiver)
            self.keyword_values({k.arg: k.value for k in node.keywords},
                                METHOD_KEYWORDS[func.attr])
            self.asm.emit("INVOKE_VIRTUAL", self.pool.utf8(func.attr),
                          len(METHOD_KEYWORDS[func.attr]))
        else:
            self.check_method_exists(node)
            self.expr(receiver)
            self.arguments(node.args, node)
            self.asm.emit("INVOKE_VIRTUAL", self.pool.utf8(func.attr), len(node.args))

    def check_method_exists(self, node):
        """A method no receiver can have (``s.title()``: the subset's str has no title) is a
        compile-time error, not an AttributeError when the line runs."""
        name = node.func.attr
        if self.m.system or name in self.m.method_names:
            return
        near = difflib.get_close_matches(name, sorted(self.m.method_names), n=1,
                                        cutoff=0.75)
        advice = f" Did you mean '{near[0]}'?" if near else ""
        raise self.error(node, f"No method '{name}' in the language subset: str, list, dict "
                         "and the classes of this program have no method of that name."
                         + advice)

    def isinstance(self, node):
        """``isinstance(x, C)`` is ``INSTANCEOF``; ``isinstance(x, (A, B))`` tests each
        class in turn on ``x`` kept in a temporary; ``tuple`` (a value type the instruction
        does not know) is tested by the native ``_vm_isinstance``."""
        if len(node.args) != 2:
            raise self.error(node, "isinstance() takes 2 arguments: a value and a class "
                             "name (or a tuple of class names).")
        spec = node.args[1]
        names = spec.elts if isinstance(spec, ast.Tuple) else [spec]
        if not names or not all(isinstance(n, ast.Name) for n in names):
            raise self.error(node, "isinstance() needs a class name, or a tuple of class "
                             "names, as its second argument.")
        for name in names:
            if (name.id not in self.m.known_classes and name.id not in VALUE_TYPES
                    and name.id not in NATIVE_VALUE_TYPES):
                raise self.error(node, f"isinstance() of unknown class '{name.id}'.")
        self.expr(node.args[0])
        if len(names) == 1:
            return self.instance_test(names[0].id)
        value, end = self.temp(), Label()
        self.asm.emit("STORE_LOCAL", value)
        for i, name in enumerate(names):
            self.asm.emit("LOAD_LOCAL", value)
            self.instance_test(name.id)
            if i < len(names) - 1:
                self.asm.emit("DUP")
                self.asm.emit("JUMP_IF_TRUE", end)
                self.asm.emit("POP")
        self.asm.place(end)

    def instance_test(self, cls: str) -> None:
        if cls in NATIVE_VALUE_TYPES:
            self.const(cls)
            self.asm.emit("INVOKE_NATIVE", self.pool.utf8("_vm_isinstance"), 2)
        else:
            self.asm.emit("INSTANCEOF", self.pool.class_ref(cls))

    def print_call(self, node):
        self.arguments(node.args, node)
        options = {k.arg: k.value for k in node.keywords}
        for key, default in (("sep", " "), ("end", "\n")):
            self.expr(options[key]) if key in options else self.const(default)
        self.asm.emit("INVOKE_NATIVE", self.pool.utf8("print"), len(node.args) + 2)


# ------------------------------------------------------------ name analysis

U16_MAX = 0xFFFF  # class-file counts and operands are u16 (classfile.py)


def too_big(name: str) -> str:
    """The message for a function whose locals, constants or jumps overflow 16 bits."""
    return (f"Function '{name}' is too big for the class-file format: more than {U16_MAX:,} "
            "locals, constants or globals, or a jump over 64 KiB of bytecode; split it.")


def _count(lo: int, hi: int, noun: str) -> str:
    """'1 argument', '2 arguments', '1 to 3 arguments'."""
    if lo == hi:
        return f"{lo} {noun}" + ("" if lo == 1 else "s")
    return f"{lo} to {hi} {noun}s"


SCOPES = (ast.ListComp, ast.DictComp, ast.GeneratorExp, ast.SetComp, ast.Lambda)


def _walk_scope(node):
    """Like ``ast.walk``, but not into comprehensions and lambdas (scopes of their own)."""
    pending = [node]
    while pending:
        node = pending.pop()
        yield node
        pending += [c for c in ast.iter_child_nodes(node) if not isinstance(c, SCOPES)]


def _assigned_names(body: list) -> set[str]:
    """Names bound by assignment, augmented assignment, for targets, except ... as."""
    names = set()
    for stmt in body:
        for node in _walk_scope(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                names.add(node.name)
    return names


def _global_decls(fn) -> list[str]:
    return [n for node in ast.walk(fn) if isinstance(node, ast.Global) for n in node.names]


def _self_fields(fn: ast.FunctionDef) -> set[str]:
    self_name = fn.args.args[0].arg
    return {node.attr for node in ast.walk(fn)
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name) and node.value.id == self_name}
