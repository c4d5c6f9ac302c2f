class HttpError(Exception):
    def __init__(self, code):
        self.code = code


class Quiet(Exception):
    def __init__(self):
        self.quiet = True


class Pair(Exception):
    def __init__(self, a, b):
        self.a = a


def check(code):
    if code >= 400:
        raise HttpError(code)
    return "fine"


for code in [200, 404]:
    try:
        print(check(code))
    except HttpError as e:
        print("error", e, e.code)
print(str(Quiet()) == "", Pair(1, "x"), Exception("plain"), ValueError(3))
raise HttpError(503)
