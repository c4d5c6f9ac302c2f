"""map and filter (lazy, with def, lambda and built-in functions), str predicates."""
def square(n):
    return n * n


words = ["Pear", "fig", "Apple"]
print(list(map(square, range(5))), list(map(len, words)))
print(list(filter(lambda w: w[0].isupper(), words)), list(filter(None, [0, 1, "", "a"])))
print(sum(map(square, [1, 2, 3])), list(map(lambda a, b: a * b, [1, 2], [3, 4, 5])))
for i, n in enumerate(map(int, "123")):
    print(i, n)
print(sorted(map(lambda w: w.lower(), words)), max(map(len, words)))
