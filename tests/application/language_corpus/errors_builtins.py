"""Errors of the new built-ins and constructs, caught: CPython's exact messages."""
# ruff: noqa: E731, B905  (a student program: lambdas assigned to names, zip of unequal lengths)


def show(label, f):
    try:
        print(label, f())
    except TypeError as e:
        print(label, "TypeError:", e)
    except ValueError as e:
        print(label, "ValueError:", e)
    except IndexError as e:
        print(label, "IndexError:", e)
    except ZeroDivisionError as e:
        print(label, "ZeroDivisionError:", e)
    except RecursionError as e:
        print(label, "RecursionError:", e)


def deep(n):
    return deep(n + 1)


g = lambda a, b=2: a + b
show("lambda args", lambda: g(1, 2, 3))
show("not callable", lambda: sorted([2, 1], key=3))
show("zip iterable", lambda: list(zip([1], 2)))
show("zip len", lambda: len(zip([1], [2])))
show("reversed", lambda: reversed(5))
show("comprehension", lambda: [x for x in 5])
show("tuple index", lambda: (1, 2)[5])
show("pow", lambda: pow("a", 2))
show("divmod", lambda: divmod(1, 0))
show("unhashable", lambda: {(1, [2]): 3})
show("sum strings", lambda: sum(["a", "b"], ""))
show("sum mixed", lambda: sum([1, "a"]))
show("chr", lambda: chr(-1))
show("min empty", lambda: min([], key=len))
show("max noniterable", lambda: max(1, key=len))
show("format list", lambda: f"{[1]:>4}")
show("format spec", lambda: f"{'abc':d}")
show("map call", lambda: list(map(3, [1])))
show("filter", lambda: list(filter(lambda x: x // 0, [1])))
show("recursion", lambda: deep(0))
show("ok", lambda: (f"{7:03d}|{-7:+d}|{255:#x}|{5:^7}|{'ab':.1}", divmod(-9, 4), 2 ** 3 ** 2))
