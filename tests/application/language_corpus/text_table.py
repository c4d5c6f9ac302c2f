"""A text table: str padding methods, split with maxsplit, index/rfind, capitalize."""
rows = [("apple", 3), ("kiwi", 12), ("fig", 100)]
for name, qty in rows:
    print(name.ljust(8, ".") + str(qty).rjust(5) + "|" + name.center(9, "*") + "|"
          + str(qty).zfill(4))
line = "key=value=more"
print(line.split("=", 1), line.index("v"), line.rfind("="), "hello world".capitalize(),
      "a b c".split(None, 1))
try:
    line.index("zz")
except ValueError as e:
    print("ValueError:", e)
