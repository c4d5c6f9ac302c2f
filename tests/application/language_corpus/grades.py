"""A gradebook: tuples, unpacking, sorted with key= and reverse=, f-string specs."""


def average(scores):
    return sum(scores) // len(scores), sum(scores) % len(scores)


def letter(score):
    for bound, grade in [(90, "A"), (80, "B"), (70, "C"), (60, "D")]:
        if score >= bound:
            return grade
    return "F"


def report(students):
    rows = []
    for name, scores in students.items():
        whole, rest = average(scores)
        rows.append((name, whole, rest, letter(whole)))
    rows.sort(key=lambda row: (-row[1], row[0]))
    for rank, (name, whole, rest, grade) in enumerate(rows, 1):
        print(f"{rank:>2}. {name:<8}|{whole:4d} r{rest:02d} {grade!r}")
    best = max(rows, key=lambda row: row[1])
    worst = min(rows, key=lambda row: row[1])
    return best[0], worst[0]


students = {
    "ada": [93, 88, 97],
    "bob": [72, 65, 80],
    "cy": [55, 61, 58],
    "dee": [88, 91, 84],
    "eve": [72, 70, 77],
}
for _ in range(3):
    top, bottom = report(students)
print("top:", top, "bottom:", bottom)
print(sorted(students, key=lambda n: len(students[n]) * 100 - ord(n[0]), reverse=True))
print(sorted([3, 1, 2], reverse=True), sorted("banana"))
names = list(students.keys())
names.sort(reverse=True)
print(names, list(students.values())[0], ("x", 1) < ("x", 2))
