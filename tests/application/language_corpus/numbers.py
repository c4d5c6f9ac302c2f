"""Integer arithmetic with Python's signs, powers, big ints, divmod, chained comparisons."""


def digits_sum(n):
    return sum(int(d) for d in str(n))


def collatz(n):
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


def table():
    for a in (7, -7):
        for b in (2, -2):
            print(a, b, a // b, a % b, divmod(a, b), a ** 2, abs(a) ** abs(b))


def is_prime(n):
    if n < 2:
        return False
    return all(n % d != 0 for d in range(2, int(n ** 0 * n) // 2 + 1) if d * d <= n)


for _ in range(2):
    table()
print(2 ** 64, 3 ** 40 % 1000007, (-3) ** 5, 0 ** 0, 10 ** 30 // 7 ** 20)
x = 5
x **= 3
print(x, digits_sum(2 ** 100), collatz(27), max(collatz(n) for n in range(1, 30)))
print([n for n in range(30) if is_prime(n)])
print(1 < 2 <= 2 < 3, 3 > 2 > 2, 1 == 1 != 2, 0 <= x < 200 < 1000)
fact = 1
for i in range(1, 40):
    fact *= i
print(fact, len(str(fact)), fact % 10 ** 9)
print(abs(-10 ** 25), min(3, -4, 2), max([5, 9, 1]), sum([], 0) if False else sum([]))
