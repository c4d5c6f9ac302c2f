"""The exceptions a student meets, caught and printed: CPython's messages."""


def attempt(label, f, arg):
    try:
        print(label, f(arg))
    except ZeroDivisionError as e:
        print(label, "ZeroDivisionError:", e)
    except IndexError as e:
        print(label, "IndexError:", e)
    except KeyError as e:
        print(label, "KeyError:", e)
    except TypeError as e:
        print(label, "TypeError:", e)
    except ValueError as e:
        print(label, "ValueError:", e)
    except AttributeError as e:
        print(label, "AttributeError:", e)
    except AssertionError as e:
        print(label, "AssertionError:", e)


def check_positive(n):
    assert n > 0, f"{n} is not positive"
    return n


def unpack_three(xs):
    a, b, c = xs
    return a


for _ in range(2):
    attempt("div", lambda n: n // 0, 5)
    attempt("mod", lambda n: n % 0, 5)
    attempt("index", lambda xs: xs[5], [1, 2])
    attempt("tuple index", lambda t: t[3], (1, 2))
    attempt("str index", lambda s: s[10], "abc")
    attempt("key", lambda d: d["missing"], {"a": 1})
    attempt("add", lambda n: n + "x", 1)
    attempt("concat", lambda s: s + 1, "a")
    attempt("int", lambda s: int(s), "12x")
    attempt("unpack", unpack_three, [1, 2])
    attempt("unpack2", unpack_three, [1, 2, 3, 4])
    attempt("assert", check_positive, -1)
    attempt("assert ok", check_positive, 3)
    attempt("attr", lambda s: s.name, "abc")
    attempt("tuple set", lambda t: t.append(1), (1,))
    attempt("list.index", lambda xs: xs.index(9), [1, 2])
    attempt("min empty", lambda xs: min(xs), [])
    attempt("max key", lambda xs: max(xs, key=len), ["a", 1])
    attempt("sort mixed", lambda xs: sorted(xs), [1, "a"])
    attempt("call", lambda n: n(1), 3)
    attempt("pop", lambda xs: xs.pop(), [])
