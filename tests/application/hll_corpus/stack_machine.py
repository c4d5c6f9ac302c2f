class StackUnderflow(Exception):
    pass


class Machine:
    def __init__(self, trace=False):
        self.stack = []
        self.trace = trace
        self.steps = 0

    def pop(self):
        if len(self.stack) == 0:
            raise StackUnderflow("pop from empty stack at step " + str(self.steps))
        return self.stack.pop()

    def run(self, program):
        pc = 0
        while pc < len(program):
            op = program[pc]
            self.steps += 1
            if isinstance(op, int):
                self.stack.append(op)
            elif op == "add":
                self.stack.append(self.pop() + self.pop())
            elif op == "mul":
                self.stack.append(self.pop() * self.pop())
            elif op == "dup":
                top = self.pop()
                self.stack.append(top)
                self.stack.append(top)
            elif op == "jnz":
                target = self.pop()
                if self.pop() != 0:
                    pc = target
                    continue
            elif op == "dec":
                self.stack.append(self.pop() - 1)
            else:
                raise ValueError("unknown op " + repr(op))
            if self.trace:
                print(pc, op, self.stack)
            pc += 1
        return self.stack


print(Machine(True).run([2, 3, "add", 4, "mul"]))
print(Machine().run([5, "dup", "dec", "dup", 1, "jnz"]))
for bad in [["add"], [1, "nop"]]:
    try:
        Machine().run(bad)
    except StackUnderflow as e:
        print("underflow:", e)
    except ValueError as e:
        print("value error:", e)
