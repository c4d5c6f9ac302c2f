class InsufficientFunds(Exception):
    def __init__(self, needed):
        super().__init__("insufficient funds: need " + str(needed))
        self.needed = needed


class Account:
    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance
        self.history = []

    def deposit(self, amount):
        if amount <= 0:
            raise ValueError("deposit must be positive")
        self.balance += amount
        self.history.append(["deposit", amount])

    def withdraw(self, amount):
        if amount > self.balance:
            raise InsufficientFunds(amount - self.balance)
        self.balance -= amount
        self.history.append(["withdraw", amount])


class Savings(Account):
    def __init__(self, owner, rate):
        super().__init__(owner, 100)
        self.rate = rate

    def add_interest(self):
        interest = self.balance * self.rate // 100
        self.deposit(interest)
        return interest


accounts = {"ana": Account("ana"), "bo": Savings("bo", 5)}
ops = [["ana", "deposit", 50], ["ana", "withdraw", 80], ["bo", "withdraw", 30],
       ["ana", "deposit", -1], ["bo", "deposit", 10]]
for who, op, amount in ops:
    acct = accounts[who]
    try:
        if op == "deposit":
            acct.deposit(amount)
        else:
            acct.withdraw(amount)
        print(who, op, amount, "->", acct.balance)
    except InsufficientFunds as e:
        print(who, "failed:", e, e.needed)
    except ValueError as e:
        print(who, "rejected:", e)
print(accounts["bo"].add_interest(), accounts["bo"].balance)
for name in ["ana", "bo"]:
    print(name, accounts[name].history)
