"""An uncaught assertion: exit status 1 and CPython's last traceback line."""
values = [n ** 2 for n in range(5)]
assert values[-1] == 16, "the last square"
assert sum(values) == 31, f"sum is {sum(values)}"
print("not reached")
