"""The language subset: which Python constructs the HLL VM accepts.

The source language *is* Python (parsed by CPython's own :mod:`ast`), so CPython can serve
as the oracle for every program.  This module decides membership in the subset before the
compiler sees the tree: every construct outside it is reported (:func:`problems`, in line
order), each as one sentence naming the line, the column, the construct and what to write
instead.  The book page ``book/hll-language.md`` documents the subset with examples.

The subset: values int, bool, str, list, tuple, dict, None, functions (``lambda`` and
names of functions used as values) and ``range``; top-level functions with positional
parameters and constant default values; classes with methods, ``__init__`` constructors,
fields on ``self`` and single inheritance (including user exception classes);
``if``/``elif``/``else``, ``while``, ``for`` over anything iterable, ``break``/``continue``;
``try``/``except``/``finally``, ``raise``, ``assert``; ``global``; operators
``+ - * // % **``, comparisons (chains too), ``and or not``, ``in``, ``is``, conditional
expressions, f-strings with format specs, indexing, slices (with a step too), list and dict
comprehensions and generator expressions; ``print`` and the built-ins in
``natives.BUILTINS``, with the keyword arguments of :data:`KEYWORDS` and
:data:`METHOD_KEYWORDS`.  Not in the subset (a few): floats and ``/``, bit operators, sets,
nested functions and closures, generators, ``with``, ``import``, other keyword arguments,
``*args``, decorators, ``for``/``while``-``else``, ``try``-``else``, class attributes.
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
    ast.In, ast.NotIn, ast.Pow, ast.Lambda, ast.ListComp, ast.DictComp, ast.GeneratorExp,
    ast.comprehension, ast.Assert,
}

# The keyword arguments the subset has: built-in function -> its keywords, in the order
# the compiler passes them; and the same for methods (list.sort).
KEYWORDS = {"print": ("sep", "end"), "sorted": ("key", "reverse"), "min": ("key",),
            "max": ("key",)}
METHOD_KEYWORDS = {"sort": ("key", "reverse")}

# What a student is told for the constructs they are most likely to try: one sentence each
# (the period is added by ``fail``).
NAMES = {
    ast.Div: "True division '/' is outside the language subset, which has no floats: use '//'",
    ast.SetComp: "A set comprehension is outside the language subset (it has no sets)",
    ast.Set: "A set is outside the language subset: use a dict or a list",
    ast.Import: "An import is outside the language subset: a program is one file",
    ast.ImportFrom: "An import is outside the language subset: a program is one file",
    ast.With: "A with statement is outside the language subset: use try/finally",
    ast.Yield: "A yield (generator) is outside the language subset",
    ast.YieldFrom: "A yield (generator) is outside the language subset",
    ast.Delete: "A del statement is outside the language subset",
    ast.Starred: "A *-unpacking is outside the language subset",
    ast.NamedExpr: "The walrus operator ':=' is outside the language subset",
    ast.AsyncFunctionDef: "An async def is outside the language subset",
    ast.Nonlocal: "A nonlocal declaration is outside the language subset (it has no nested "
                  "functions)",
    ast.BitAnd: "The bit operator '&' is outside the language subset",
    ast.BitOr: "The bit operator '|' is outside the language subset",
    ast.BitXor: "The bit operator '^' is outside the language subset",
    ast.LShift: "The shift operator '<<' is outside the language subset: multiply by a power "
                "of two",
    ast.RShift: "The shift operator '>>' is outside the language subset: use '//' by a power "
                "of two",
    ast.Invert: "The bit operator '~' is outside the language subset",
    ast.UAdd: "A unary '+' is outside the language subset",
    ast.MatMult: "The operator '@' is outside the language subset",
    ast.AnnAssign: "An annotated assignment is outside the language subset: drop the type",
}


def fail(node: ast.AST, sentence: str, filename: str) -> CompileError:
    """A CompileError at ``node`` whose message is ``sentence`` (a period is added)."""
    return CompileError(sentence.rstrip(".") + ".", getattr(node, "lineno", 0),
                        getattr(node, "col_offset", 0) + 1, filename)


def outside(what: str, advice: str | None = None) -> str:
    """The sentence for a construct outside the subset: ``what`` is its noun phrase
    (capitalised here), ``advice`` what to write instead."""
    sentence = f"{what[0].upper()}{what[1:]} is outside the language subset"
    return f"{sentence}: {advice}" if advice else sentence


def problems(tree: ast.Module, filename: str = "<source>") -> list[CompileError]:
    """Every construct of ``tree`` outside the subset, in line order (one error each)."""
    found: dict[tuple[int, int], CompileError] = {}
    pending: list[tuple[ast.AST, ast.AST]] = [(tree, tree)]     # (node, its parent)
    while pending:
        node, parent = pending.pop()
        kind = type(node)
        if kind not in ALLOWED:
            sentence = NAMES.get(kind, outside(f"the construct '{kind.__name__}'"))
            # operators carry no position: report their parent expression's
            error = fail(node if hasattr(node, "lineno") else parent, sentence, filename)
            found.setdefault((error.line, error.col), error)   # one message per position
            continue                  # what is inside a rejected construct is not reported
        checker = _CHECKS.get(kind)
        problem = checker(node) if checker is not None else None
        if problem:
            error = fail(node, problem, filename)
            found.setdefault((error.line, error.col), error)
        pending += [(child, node) for child in ast.iter_child_nodes(node)]
    return [found[position] for position in sorted(found)]


def check(tree: ast.Module, filename: str = "<source>") -> None:
    """Raise one :class:`CompileError` listing every construct outside the subset."""
    found = problems(tree, filename)
    if found:
        raise CompileError.several(found)


def _constant(node: ast.Constant):
    if type(node.value) not in (int, str, bool, type(None)):
        return outside(f"a {type(node.value).__name__} constant",
                       "the values are int, bool, str, None, list and dict")
    if type(node.value) is str and not node.value.isascii():
        try:
            node.value.encode("utf-8")  # class files store strings as UTF-8
        except UnicodeEncodeError as error:
            return (f"The string holds a lone surrogate {node.value[error.start]!r} that "
                    "UTF-8 cannot encode: write the character itself, not half of it.")
    return None


def _function(node: ast.FunctionDef):
    a = node.args
    if node.decorator_list:
        return outside("a decorator")
    if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs:
        return outside("a *args, **kwargs or keyword-only parameter",
                       "parameters are positional")
    if any(not isinstance(d, ast.Constant) for d in a.defaults):
        return outside("a default value that is not a constant",
                       "use None and set the value in the body")
    if node.returns or any(x.annotation for x in a.args):
        return outside("a type annotation", "drop the type")
    return None


def _class(node: ast.ClassDef):
    if len(node.bases) > 1:
        return outside("multiple inheritance", "a class has one base class")
    if node.keywords or node.decorator_list:
        return outside("a class keyword or decorator")
    if node.bases and not isinstance(node.bases[0], ast.Name):
        return outside("a base class that is not a plain name")
    for item in node.body:
        docstring = isinstance(item, ast.Expr) and isinstance(item.value, ast.Constant)
        if not isinstance(item, ast.FunctionDef | ast.Pass) and not docstring:
            return outside("a class attribute or statement in a class body",
                           "a class body holds methods only; set fields in __init__")
    return None


def _loop(node):
    return outside("a loop 'else' clause") if node.orelse else None


def _try(node: ast.Try):
    return outside("a 'try ... else' clause") if node.orelse else None


def _raise(node: ast.Raise):
    return outside("'raise ... from ...'") if node.cause else None


def _call(node: ast.Call):
    if not isinstance(node.func, ast.Name | ast.Attribute):
        return outside("calling something that is not a name or a method")
    if not node.keywords:
        return None
    func = node.func
    allowed = (KEYWORDS.get(func.id, ()) if isinstance(func, ast.Name)
               else METHOD_KEYWORDS.get(func.attr, ()))
    names = [k.arg for k in node.keywords]
    if not all(name in allowed for name in names) or len(set(names)) < len(names):
        return outside("a keyword argument",
                       "the keyword arguments are print()'s sep= and end=, sorted()'s and "
                       "list.sort()'s key= and reverse=, min()'s and max()'s key=")
    return None


def _comprehension(node: ast.comprehension):
    return outside("an async comprehension") if node.is_async else None


def _lambda(node: ast.Lambda):
    a = node.args
    if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs:
        return outside("a *args, **kwargs or keyword-only parameter",
                       "parameters are positional")
    return None


def _formatted(node: ast.FormattedValue):
    if node.conversion not in (-1, ord("r"), ord("s")):
        return outside("an f-string !a conversion", "write {x}, {x!r} or {x!s}")
    return None


def _dict(node: ast.Dict):
    return outside("'**' unpacking in a dict") if None in node.keys else None


def _except(node: ast.ExceptHandler):
    if node.type is not None and not isinstance(node.type, ast.Name):
        return outside("an except clause whose type is not a single class name")
    return None


_CHECKS = {
    ast.Constant: _constant, ast.FunctionDef: _function, ast.ClassDef: _class,
    ast.While: _loop, ast.For: _loop, ast.Try: _try, ast.Raise: _raise, ast.Call: _call,
    ast.FormattedValue: _formatted, ast.Dict: _dict,
    ast.ExceptHandler: _except, ast.comprehension: _comprehension, ast.Lambda: _lambda,
}
