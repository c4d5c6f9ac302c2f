def histogram(words):
    counts = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    return counts


text = "the quick brown fox jumps over the lazy dog the end"
h = histogram(text.split())
for word, n in h.items():
    if n > 1:
        print(word, n)
print(sorted(h.keys()))
print(len(h), "the" in h, "cat" in h, histogram(["a", "b", "a"]))

xs = []
for i in range(10):
    xs.append(i * i)
print(xs, xs[2:5], xs[:3], xs[-2:], xs[-1])
print(sum(xs), min(xs), max(xs), max(3, 9, 4), min([5, 2, 8]))
ys = xs + [100, 200]
ys.pop()
ys.pop(0)
ys.insert(0, -1)
ys.reverse()
print(ys, len(ys), ys.index(49))
grid = [[0] * 3, [0, 0, 0]]
grid[1][2] = 5
grid[0][0] += 2
print(grid)
d = {"x": [1, 2], "y": {"z": None}}
d["x"].append(3)
print(d, list(d.values()), list(d.keys()))
print(d.pop("x"), d)
nums = [5, 3, 8, 1]
nums.sort()
print(nums, sorted([3, 1, 2]), nums.count(3))
for i, v in enumerate(["a", "b", "c"]):
    print(i, v)
words = ["x", "y", "z"]
print("-".join(words), "a,b,,c".split(","), list(range(2, 10, 3)))
matrix = []
for r in range(3):
    row = []
    for c in range(3):
        row.append(r * 3 + c)
    matrix.append(row)
print(matrix, matrix[2][1])
print([] == [], [1, 2] < [1, 3], {} == {}, [1, [2]] == [1, [2]])
