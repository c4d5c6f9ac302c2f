"""isinstance with value types, tuples and classes, and with a tuple of classes."""
class A:
    pass


class B(A):
    pass


def kind(x):
    if isinstance(x, (int, str)):
        return "scalar"
    if isinstance(x, tuple):
        return "tuple"
    if isinstance(x, (list, dict, tuple)):
        return "container"
    if isinstance(x, (B,)):
        return "B"
    return "other" if not isinstance(x, A) else "A"


for v in [1, "s", (1,), [1], {}, B(), A(), None, True]:
    print(kind(v), isinstance(v, (A, tuple)))
