"""Text processing: str methods, slicing, in/not in, comprehensions, zip, reversed."""
# ruff: noqa: E731, B905  (a student program: lambdas assigned to names, zip of unequal lengths)

TEXT = """The quick brown fox jumps over the lazy dog.
The dog sleeps; the fox runs away!
  Virtual machines run programs written for other machines.  """


def words_of(text):
    cleaned = text.lower().replace(";", " ").replace(".", " ").replace("!", " ")
    return [w.strip() for w in cleaned.split() if w.strip()]


def frequencies(words):
    counts = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    return counts


def top(counts, n):
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:n]


for _ in range(3):
    words = words_of(TEXT)
    counts = frequencies(words)
print(len(words), len(counts))
for word, count in top(counts, 4):
    print(f"{word:>8}: {'#' * count} ({count})")
lengths = {w: len(w) for w in counts if len(w) > 5}
print(lengths)
print([line.strip()[:10] for line in TEXT.split("\n")])
print("fox" in TEXT, "cat" not in TEXT, TEXT.find("dog"), TEXT.startswith("The"))
s = "abcdefgh"
print(s[2:5], s[:3], s[-3:], "".join(reversed(s)), s[1:-1], s[::-1], s[::3], s[6:1:-2])
print([a + b for a, b in zip("abc", "xyz")], list(zip([1, 2, 3], "ab")))
print(", ".join(f"{i}:{c}" for i, c in enumerate("vm")), "-".join(["a", "b"]).upper())
print([w for w in words if w.startswith("t")][:5], words[1:4], words[-2:])
initials = "".join(w[0] for w in TEXT.split()[:6])
print(initials, initials.lower(), initials.isalpha(), "  pad ".strip() + "|")
