"""Faster traversal of Python syntax trees, for the translator's rewriting passes.

The translator rewrites each instruction's semantics (a few dozen ``ast`` nodes) through
several passes; with the standard library's ``ast.NodeTransformer`` and ``ast.walk``, most
of a block's translation time went into their generic machinery (a generator per node
for ``iter_fields``, a ``getattr`` by method name per visit).  These are the same
algorithms (Python ``ast`` module documentation, "NodeTransformer"), with the method of
each node class looked up once per class and the children read from ``_fields``
directly.  Behaviour is identical: a visitor method returning ``None`` removes the node,
one returning a list splices it into a list field.
"""
from __future__ import annotations

import ast

_AST = ast.AST


def walk(node):
    """Every node of the tree under ``node`` (itself included), in no particular order."""
    stack = [node]
    pop, push, grow = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        yield node
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                grow([item for item in value if isinstance(item, _AST)])
            elif isinstance(value, _AST):
                push(value)


class FastTransformer(ast.NodeTransformer):
    """``ast.NodeTransformer`` with per-class method lookup cached."""

    def visit(self, node):
        methods = type(self).__dict__.get('_methods')
        if methods is None:
            methods = type(self)._methods = {}
        method = methods.get(type(node))
        if method is None:
            method = methods[type(node)] = getattr(
                type(self), 'visit_' + type(node).__name__, type(self).generic_visit)
        return method(self, node)

    def generic_visit(self, node):
        for name in node._fields:
            old = getattr(node, name, None)
            if isinstance(old, list):
                new = []
                for item in old:
                    if isinstance(item, _AST):
                        item = self.visit(item)
                        if item is None:
                            continue
                        if not isinstance(item, _AST):
                            new.extend(item)
                            continue
                    new.append(item)
                old[:] = new
            elif isinstance(old, _AST):
                replacement = self.visit(old)
                if replacement is None:
                    delattr(node, name)
                else:
                    setattr(node, name, replacement)
        return node


__all__ = ['FastTransformer', 'walk']
