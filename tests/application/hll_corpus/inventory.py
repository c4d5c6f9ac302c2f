def parse(line):
    parts = line.split(",")
    return {"name": parts[0].strip(), "qty": int(parts[1]), "price": int(parts[2])}


def total_value(items, discount=0):
    total = 0
    for item in items:
        total += item["qty"] * item["price"]
    return total - total * discount // 100


def report(items, width=12):
    lines = []
    for item in sorted(names(items)):
        lines.append(item + "." * (width - len(item)))
    return "\n".join(lines)


def names(items):
    out = []
    for item in items:
        out.append(item["name"])
    return out


data = """apple, 3, 40
pear, 10, 25
fig, 0, 300
kiwi, 7, 12"""
items = []
for line in data.split("\n"):
    items.append(parse(line))
print(len(items), total_value(items), total_value(items, 10))
in_stock = []
for item in items:
    if item["qty"] > 0:
        in_stock.append(item["name"])
print(in_stock, names(items)[1:3])
by_price = {}
for item in items:
    bucket = "cheap" if item["price"] < 30 else "dear"
    if bucket not in by_price:
        by_price[bucket] = []
    by_price[bucket].append(item["name"])
print(by_price)
print(report(items))
print(report(items, 6))
