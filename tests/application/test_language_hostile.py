"""Hostile programs built from the constructs issue 14 added end within their budget.

Each runs with a small heap and instruction budget and must stop with a guest exception
(MemoryError, OverflowError...) or the budget, never run on in the host: the new natives
check sizes before the host builds and charge their loops (issue 16's rules).
"""

from __future__ import annotations

import pytest

from vlab.application.hll.vm import VM

HOSTILE = {
    "huge comprehension": "xs = [x for x in range(10**12)]",
    "huge dict comprehension": "d = {x: x for x in range(10**12)}",
    "huge generator sum": "print(sum(x * x for x in range(10**12)))",
    "sort a huge range by key": "print(sorted(range(10**9), key=lambda x: -x)[0])",
    "max of a huge range by key": "print(max(range(10**12), key=lambda x: x % 7))",
    "format width": "print(f\"{'x':>{10**9}}\")",
    "format precision": "print(f'{1:.{10**9}f}')",
    "padding width": "print('x'.rjust(10**9, '*'))",
    "tower of powers": "print(2 ** 2 ** 40)",
    "slices doubling": "s = 'ab'\nwhile True:\n    s = s[::-1] + s[::1]",
    "tuples doubling": "t = (1,)\nwhile True:\n    t = t + t[::-1]",
    "shared tuple equality": ("a = (1,)\nb = (1,)\nfor _ in range(64):\n"
                              "    a = (a, a)\n    b = (b, b)\nprint(a == b)"),
    "shared tuple repr": "a = ('x',)\nfor _ in range(64):\n    a = (a, a)\nprint(a)",
    "map over a huge range": "print(list(map(lambda x: x, range(10**12))))",
    "filter a huge range": "print(len(list(filter(None, range(10**12)))))",
    "zip of huge ranges": "print(len(list(zip(range(10**12), range(10**12)))))",
    "recursive lambda": "f = lambda n: f(n + 1)\nf(0)",
    "key that recurses": "k = lambda x: k(x)\nprint(sorted([1, 2], key=k))",
}


@pytest.mark.parametrize("jit", [False, True])
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_program_stops_within_its_budget(name, jit):
    vm = VM.from_source(HOSTILE[name] + "\n", "hostile.py", jit=jit, jit_threshold=1,
                        heap_limit=2**21, max_instructions=2 * 10**6, max_depth=200)
    result = vm.run()
    assert result.status in ("budget", "exception"), (result.status, result.output[:200])
    assert vm.rt.icount <= 2 * 10**6 + 10**5
