"""Classes with lambdas as values, isinstance, assert, global, tuples in fields."""
# ruff: noqa: E731, B905  (a student program: lambdas assigned to names, zip of unequal lengths)

count = 0


class Shape:
    def __init__(self, name, origin):
        global count
        count += 1
        self.name = name
        self.origin = origin

    def area(self):
        return 0

    def moved(self, dx, dy):
        x, y = self.origin
        return (x + dx, y + dy)


class Rect(Shape):
    def __init__(self, origin, w, h):
        super().__init__("rect", origin)
        self.w, self.h = w, h

    def area(self):
        return self.w * self.h


class Square(Rect):
    def __init__(self, origin, side):
        super().__init__(origin, side, side)
        self.name = "square"


def apply(f, values):
    return [f(v) for v in values]


def build():
    return [Rect((0, 0), 3, 4), Square((1, 2), 5), Shape("point", (9, 9)), Rect((2, 2), 1, 7)]


for _ in range(3):
    shapes = build()
    by_area = sorted(shapes, key=lambda s: s.area())
print([s.name for s in by_area], count)
print([(s.name, s.area()) for s in shapes if isinstance(s, Rect)])
print(shapes[1].moved(2, -3), shapes[0].origin, isinstance(shapes[1], Shape))
double = lambda n: n * 2
twice = lambda f, x: f(f(x))
print(apply(double, [1, 2, 3]), twice(double, 5), apply(abs, [-1, 2, -3]), apply(str, (1, 2)))
areas = {s.name: s.area() for s in shapes}
assert areas["square"] == 25, "square area"
total = sum(areas.values())
print(areas, total)
pick = len
print(pick("four"), sorted(["ccc", "a", "bb"], key=pick))
assert isinstance(total, int) and total > 0
