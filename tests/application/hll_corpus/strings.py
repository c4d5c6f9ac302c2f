def caesar(s, k):
    letters = "abcdefghijklmnopqrstuvwxyz"
    out = ""
    for ch in s:
        i = letters.find(ch)
        if i < 0:
            out += ch
        else:
            out += letters[(i + k) % 26]
    return out


msg = "hello, world"
enc = caesar(msg, 3)
print(enc, caesar(enc, 23))
print(msg.upper(), "  pad  ".strip(), "xxhixx".strip("x"), msg.replace("l", "L"))
print(msg.startswith("he"), msg.endswith("x"), msg.count("o"), "42".isdigit(), "ab".isalpha())
name = "vlab"
n = 3
print(f"{name} has {n} letters? {len(name) == n}", f"{name!r}", f"{[1, 2]}")
s = ""
i = 0
while i < 5:
    s = s + str(i)
    i += 1
print(s, s[1:3], repr("quote's"), str(True), str(None))
print(int("123") + 1, int("-7"), str(-12), abs(-5), bool(0), bool("x"))
print("a" < "b", "abc" * 2, 3 * "z", len("hello"))
print(repr(1), repr([1, "a"]), repr({"k": "v"}))
print("first", "second", sep=" | ", end=".\n")
print("no newline", end="")
print()
