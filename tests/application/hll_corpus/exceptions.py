class AppError(Exception):
    pass


class NotFound(AppError):
    def __init__(self, key):
        super().__init__("missing " + key)
        self.key = key


def lookup(table, key):
    if key not in table:
        raise NotFound(key)
    return table[key]


def safe_div(a, b):
    try:
        return a // b
    except ZeroDivisionError:
        return None
    finally:
        print("safe_div", a, b)


table = {"a": 1, "b": 2}
for key in ["a", "x", "b"]:
    try:
        print(lookup(table, key))
    except NotFound as e:
        print("not found:", e, e.key, isinstance(e, AppError))
print(safe_div(7, 2), safe_div(1, 0))


def nested(n):
    try:
        try:
            if n == 0:
                raise ValueError("zero")
            return 10 // (n - 1)
        except ValueError as e:
            print("inner", e)
            raise
        finally:
            print("inner finally", n)
    except ZeroDivisionError as e:
        print("outer", e)
        return -1
    except ValueError:
        print("outer value error")
        return -2


for n in range(3):
    print("nested", n, nested(n))

for i in range(6):
    try:
        if i == 1:
            continue
        if i == 4:
            break
        print("body", i)
    finally:
        print("cleanup", i)

errors = 0
for value in ["12", "x", "7"]:
    try:
        errors += int(value)
    except ValueError as e:
        print("bad", e)
print(errors)
try:
    raise AppError
except Exception as e:
    print("plain", str(e) == "", isinstance(e, AppError))
try:
    [].pop()
except IndexError as e:
    print(e)
try:
    None.x = 1
except AttributeError as e:
    print(e)
try:
    print("a" + 1)
except TypeError as e:
    print(e)
