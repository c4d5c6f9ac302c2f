"""An uncaught KeyError from a dict comprehension's lookup."""
stock = {name: qty for name, qty in [("apple", 3), ("pear", 0)]}
print(stock)
print(stock["plum"])
