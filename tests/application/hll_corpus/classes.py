class Shape:
    def __init__(self, name):
        self.name = name

    def area(self):
        return 0

    def describe(self):
        return self.name + " with area " + str(self.area())


class Rect(Shape):
    def __init__(self, w, h):
        super().__init__("rect")
        self.w = w
        self.h = h

    def area(self):
        return self.w * self.h


class Square(Rect):
    def __init__(self, side):
        Rect.__init__(self, side, side)
        self.name = "square"


class Counter:
    def __init__(self, start=0):
        self.count = start

    def bump(self, by=1):
        self.count += by
        return self

    def __str__(self):
        return "Counter(" + str(self.count) + ")"


shapes = [Shape("blob"), Rect(3, 4), Square(5)]
for s in shapes:
    print(s.describe(), isinstance(s, Rect), isinstance(s, Square))
total = 0
for s in shapes:
    total += s.area()
print("total area", total)
c = Counter()
c.bump().bump(5).bump()
print(c, Counter(10))
print(str(c) + "!")
