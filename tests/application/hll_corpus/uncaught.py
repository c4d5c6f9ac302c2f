class Boom(Exception):
    pass


def level2(x):
    if x > 1:
        raise Boom("exploded at " + str(x))
    return x


def level1(x):
    return level2(x + 1)


print("before")
print(level1(0))
print(level1(5))
print("never")
