def classify(n):
    if n < 0:
        return "negative"
    elif n == 0:
        return "zero"
    elif n % 2 == 0:
        return "even"
    else:
        return "odd"


for n in [-3, 0, 4, 7]:
    print(n, classify(n))

count = 0
n = 27
while n != 1:
    n = n // 2 if n % 2 == 0 else 3 * n + 1
    count += 1
print("collatz steps", count)

primes = []
for candidate in range(2, 60):
    is_prime = True
    for p in primes:
        if p * p > candidate:
            break
        if candidate % p == 0:
            is_prime = False
            break
    if is_prime:
        primes.append(candidate)
print(primes)

found = None
for i in range(10):
    for j in range(10):
        if i * j == 42:
            found = [i, j]
            break
    if found is not None:
        break
print(found, found is None, 1 if found else 0)
print(1 < 2 < 3, 3 > 2 > 5, 0 <= 5 < 10 <= 10)
a = 0 or "default"
b = 5 and 6
c = None or 0 or []
neg = -4
print(a, b, c, not None, -neg)

total = 0


def add_to_total(x):
    global total
    total = total + x


for k in range(5):
    add_to_total(k)
print("total", total, __name__)
