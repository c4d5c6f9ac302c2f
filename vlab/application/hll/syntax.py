"""The language subset: which Python constructs the HLL VM accepts.

The source language *is* Python (parsed by CPython's own :mod:`ast`), so CPython can serve
as the oracle for every program.  This module decides membership in the subset before the
compiler sees the tree: anything outside is a :class:`CompileError` naming the line, the
column and the construct.

The subset: values int, bool, str, list, dict, None (and ``range``); top-level functions
with positional parameters and constant default values; classes with methods, ``__init__``
constructors, fields on ``self`` and single inheritance (including user exception classes);
``if``/``elif``/``else``, ``while``, ``for`` over anything iterable, ``break``/``continue``;
``try``/``except``/``finally``, ``raise``; ``global``; operators ``+ - * // %``, comparisons
(chains too), ``and or not``, ``in``, ``is``, conditional expressions, f-strings without
format specs, indexing, slices without a step; ``print`` and the built-ins in
``natives.BUILTINS``.  Not in the subset (a few): floats and ``/``, ``**``, bit operators,
tuples as values, lambdas, nested functions, comprehensions, ``with``, ``import``,
keyword arguments (except ``print``'s ``sep`` and ``end``), ``*args``, decorators,
``for``/``while``-``else``, ``try``-``else``, class attributes.
"""

from __future__ import annotations

import ast

from .errors import CompileError

ALLOWED = {
    ast.Module, ast.FunctionDef, ast.ClassDef, ast.arguments, ast.arg, ast.Return, ast.Assign,
    ast.AugAssign, ast.If, ast.While, ast.For, ast.Break, ast.Continue, ast.Pass, ast.Expr,
    ast.Try, ast.ExceptHandler, ast.Raise, ast.Global, ast.BoolOp, ast.BinOp, ast.UnaryOp,
    ast.Compare, ast.Call, ast.Constant, ast.Name, ast.Attribute, ast.Subscript, ast.Slice,
    ast.List, ast.Dict, ast.Tuple, ast.JoinedStr, ast.FormattedValue, ast.IfExp, ast.keyword,
    ast.Load, ast.Store, ast.And, ast.Or, ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod,
    ast.USub, ast.Not, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot,
    ast.In, ast.NotIn,
}

# Friendly names for the constructs a student is most likely to try.
NAMES = {
    ast.Div: "true division '/' (floats are not in the subset; use '//')",
    ast.Pow: "the power operator '**'", ast.Lambda: "lambda", ast.ListComp: "list comprehension",
    ast.DictComp: "dict comprehension", ast.SetComp: "set comprehension", ast.Set: "set",
    ast.GeneratorExp: "generator expression", ast.Import: "import", ast.ImportFrom: "import",
    ast.With: "with statement", ast.Yield: "yield", ast.Delete: "del", ast.Assert: "assert",
    ast.Starred: "*-unpacking", ast.NamedExpr: "walrus ':='", ast.AsyncFunctionDef: "async def",
    ast.Nonlocal: "nonlocal", ast.BitAnd: "'&'", ast.BitOr: "'|'", ast.BitXor: "'^'",
    ast.LShift: "'<<'", ast.RShift: "'>>'", ast.Invert: "'~'", ast.UAdd: "unary '+'",
    ast.MatMult: "'@'", ast.AnnAssign: "annotated assignment",
}


def fail(node: ast.AST, what: str, filename: str) -> CompileError:
    return CompileError(f"{what} is outside the language subset", getattr(node, "lineno", 0),
                        getattr(node, "col_offset", 0) + 1, filename)


def check(tree: ast.Module, filename: str = "<source>") -> None:
    """Raise :class:`CompileError` for the first construct outside the subset."""
    for node in ast.walk(tree):
        kind = type(node)
        if kind not in ALLOWED:
            what = NAMES.get(kind, f"'{kind.__name__}'")
            # operators carry no position: report their parent expression's
            raise fail(node if hasattr(node, "lineno") else _positioned(tree, node), what,
                       filename)
        checker = _CHECKS.get(kind)
        if checker is not None:
            problem = checker(node)
            if problem:
                raise fail(node, problem, filename)


def _positioned(tree, target):
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            if child is target:
                return node if hasattr(node, "lineno") else target
    return target


def _constant(node: ast.Constant):
    if type(node.value) not in (int, str, bool, type(None)):
        return f"a {type(node.value).__name__} constant"
    return None


def _function(node: ast.FunctionDef):
    a = node.args
    if node.decorator_list:
        return "a decorator"
    if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs:
        return "*args, **kwargs or keyword-only parameters"
    if any(not isinstance(d, ast.Constant) for d in a.defaults):
        return "a default value that is not a constant"
    if node.returns or any(x.annotation for x in a.args):
        return "a type annotation"
    return None


def _class(node: ast.ClassDef):
    if len(node.bases) > 1:
        return "multiple inheritance"
    if node.keywords or node.decorator_list:
        return "class keywords or decorators"
    if node.bases and not isinstance(node.bases[0], ast.Name):
        return "a base class that is not a plain name"
    for item in node.body:
        docstring = isinstance(item, ast.Expr) and isinstance(item.value, ast.Constant)
        if not isinstance(item, ast.FunctionDef | ast.Pass) and not docstring:
            return "a class attribute or statement in a class body (only methods)"
    return None


def _loop(node):
    return "a loop 'else' clause" if node.orelse else None


def _try(node: ast.Try):
    return "a 'try ... else' clause" if node.orelse else None


def _raise(node: ast.Raise):
    return "'raise ... from ...'" if node.cause else None


def _call(node: ast.Call):
    if not isinstance(node.func, ast.Name | ast.Attribute):
        return "calling something that is not a name or a method"
    named = isinstance(node.func, ast.Name) and node.func.id == "print"
    if node.keywords and not (named and all(k.arg in ("sep", "end") for k in node.keywords)):
        return "keyword arguments (only print's sep= and end=)"
    return None


def _slice(node: ast.Slice):
    return "a slice step" if node.step else None


def _formatted(node: ast.FormattedValue):
    if node.format_spec is not None or node.conversion not in (-1, ord("r"), ord("s")):
        return "an f-string format spec or !a conversion"
    return None


def _dict(node: ast.Dict):
    return "'**' unpacking in a dict" if None in node.keys else None


def _except(node: ast.ExceptHandler):
    if node.type is not None and not isinstance(node.type, ast.Name):
        return "an except clause whose type is not a single class name"
    return None


_CHECKS = {
    ast.Constant: _constant, ast.FunctionDef: _function, ast.ClassDef: _class,
    ast.While: _loop, ast.For: _loop, ast.Try: _try, ast.Raise: _raise, ast.Call: _call,
    ast.Slice: _slice, ast.FormattedValue: _formatted, ast.Dict: _dict,
    ast.ExceptHandler: _except,
}
