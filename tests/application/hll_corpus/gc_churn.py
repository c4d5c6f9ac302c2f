class Node:
    def __init__(self, value, next_node):
        self.value = value
        self.next = next_node


def build(n):
    head = None
    for i in range(n):
        head = Node(i, head)
    return head


def length(node):
    count = 0
    while node is not None:
        count += 1
        node = node.next
    return count


keep = build(50)
total = 0
for _round in range(40):
    garbage = build(100)
    total += length(garbage)
    junk = []
    for i in range(30):
        junk.append([i, str(i)])
print(total, length(keep), keep.value)
