"""On-stack replacement and deoptimization in the HLL VM's JIT (osr.py, issue 14).

Each program here does its work in ONE call (or at top level), so only OSR can move it
into compiled code.  CPython is the oracle for the output; the interpreter is the oracle
for the instruction count and the guest stack trace.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from vlab.application.hll.vm import VM

PROGRAMS = {
    "loop_in_function_called_once": """
def work():
    xs = []
    for i in range(300):
        xs.append(i * i % 17)
    total = 0
    for x in xs:
        if x % 2 == 0:
            total += x
        else:
            total -= 1
    return total

print(work())
""",
    "top_level_loop": """
t = 0
for i in range(500):
    t = t + i * 2
print(t)
""",
    "comprehension_with_a_value_on_the_stack": """
print(7, len([i * 2 for i in range(300)]))
""",
    "exceptions_caught_inside_the_osr_loop": """
def work(n):
    hits = 0
    errors = []
    for i in range(n):
        try:
            if i % 50 == 7:
                raise ValueError("bad " + str(i))
            hits += 100 // (i % 40)
        except ZeroDivisionError as e:
            errors.append(str(e))
        except ValueError as e:
            errors.append(str(e))
        finally:
            hits += 1
    print(hits, len(errors), errors[:3])

work(400)
""",
    "exception_escapes_the_osr_loop": """
def inner(xs, i):
    return xs[i]

def work():
    xs = [1, 2, 3]
    total = 0
    for i in range(400):
        total += inner(xs, i % 3)
    print(total)
    k = 0
    while True:
        total += inner(xs, k)
        k += 1

work()
""",
    "osr_loop_inside_try_with_finally_continue_break": """
def work():
    total = 0
    try:
        for i in range(500):
            if i % 7 == 0:
                continue
            try:
                total += 1000 // (i - 250)
            except ZeroDivisionError:
                total -= 1
                continue
            finally:
                total += 1
            if total > 1000000000:
                break
        raise KeyError("done")
    except KeyError as e:
        print("caught", e, total)

work()
""",
    "products_small_and_big_in_osr_loops": """
def f(n):
    t = 0
    for i in range(n):
        t = t + 3 * i + i * 1048576 + i * i
    return t

print(f(500))
x = 7
for k in range(100):
    x = x * x if x < 1000 else x * 1234567 - x
print(x % 1000003, len(str(x)))
""",
    "deopt_when_an_int_local_becomes_a_str": """
def work():
    x = 1
    acc = 0
    for i in range(300):
        if i == 200:
            x = "ab"
        y = x + x
        acc = acc + len(str(y))
    print(x, y, acc)

work()
""",
    "hot_recursion_from_one_top_level_call": """
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

print(fib(18))
""",
    "deep_recursion": """
def depth(n):
    if n == 0:
        return 0
    return 1 + depth(n - 1)

print(depth(900))

def forever(n):
    return forever(n + 1)

forever(0)
""",
}


@pytest.fixture(scope="module")
def cpython(tmp_path_factory):
    cache = {}

    def run(name: str):
        if name not in cache:
            path = tmp_path_factory.mktemp("osr") / f"{name}.py"
            path.write_text(PROGRAMS[name])
            cache[name] = subprocess.run([sys.executable, str(path)], capture_output=True,
                                         text=True, timeout=60)
        return cache[name]
    return run


def run(name: str, jit: bool):
    vm = VM.from_source(PROGRAMS[name], f"{name}.py", jit=jit)
    return vm, vm.run()


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_jit_prints_what_the_interpreter_and_cpython_print(name, cpython):
    expected = cpython(name)
    _, interpreted = run(name, jit=False)
    _, compiled = run(name, jit=True)
    assert compiled.output == interpreted.output == expected.stdout
    assert compiled.exit_code == interpreted.exit_code == expected.returncode
    if expected.returncode:
        assert compiled.traceback.splitlines()[-1] == expected.stderr.splitlines()[-1]


@pytest.mark.parametrize("name", ["loop_in_function_called_once", "top_level_loop",
                                  "comprehension_with_a_value_on_the_stack",
                                  "deopt_when_an_int_local_becomes_a_str",
                                  "products_small_and_big_in_osr_loops",
                                  "hot_recursion_from_one_top_level_call"])
def test_osr_and_deopt_keep_the_instruction_count_exact(name):
    """Blocks are charged on entry and the frame moves at a block boundary (both ways)."""
    _, interpreted = run(name, jit=False)
    _, compiled = run(name, jit=True)
    assert compiled.stats["instructions"] == interpreted.stats["instructions"]


def test_a_loop_in_a_method_called_once_moves_to_compiled_code_at_its_back_edge():
    vm, result = run("loop_in_function_called_once", jit=True)
    stats = result.stats
    assert stats["jit_osr_entries"] == 1 and stats["jit_deopts"] == 0
    (method, offset, line), = vm.jit.osr_entries
    assert method.endswith(".work") and line == 4  # the first loop, `for i in range(300)`
    header = vm.load(vm.main_class).methods["work"]
    assert any(i.op.name == "JUMP" and i.args[0] == offset for i in header.instrs)  # a back edge
    # the rest of the call ran compiled: only the first 64 iterations were interpreted
    assert stats["compiled_instructions"] > 5 * stats["interpreted_instructions"]
    source = vm.jit.osr[(method, offset)].source
    assert source.splitlines()[0].startswith("def work(L0, L1,")  # every local is a parameter
    assert f"b = {offset}" in source  # the first block run is the loop header


def test_without_osr_the_same_program_stays_interpreted():
    vm = VM.from_source(PROGRAMS["loop_in_function_called_once"], "p.py", jit_threshold=10**6)
    stats = vm.run().stats
    assert stats["jit_osr_entries"] == 0 and stats["compiled_instructions"] == 0


def test_top_level_code_and_a_non_empty_operand_stack_are_replaced_too():
    vm, result = run("top_level_loop", jit=True)
    assert [m for m, _, _ in vm.jit.osr_entries] == ["top_level_loop.<module>"]
    vm, result = run("comprehension_with_a_value_on_the_stack", jit=True)
    (method, offset, _), = vm.jit.osr_entries
    source = vm.jit.osr[(method, offset)].source
    assert ", S0):" in source.splitlines()[0]  # print's first argument travels as S0


def test_a_failed_guard_deoptimizes_then_the_loop_is_recompiled_without_speculation():
    vm, result = run("deopt_when_an_int_local_becomes_a_str", jit=True)
    assert result.output == "ab abab 600\n"
    assert result.stats["jit_deopts"] == 1
    (method, offset, line, reason), = vm.jit.deopts
    assert method.endswith(".work") and line == 5 and "int" in reason
    # moved in at iteration 64, back to the interpreter at 201, in again 64 iterations later
    first, second = vm.jit.osr_entries
    assert first[:2] == second[:2] == (method, offset)
    assert (method, offset) in vm.jit.unspeculated
    assert "DEOPT(" not in vm.jit.osr[(method, offset)].source  # the recompiled entry
    assert result.stats["interpreted_instructions"] > 64 * 2 * 10


def test_the_speculating_osr_entry_guards_its_loop_headers():
    source = PROGRAMS["deopt_when_an_int_local_becomes_a_str"].replace("i == 200", "i == 900")
    vm = VM.from_source(source, "s.py")
    result = vm.run()
    assert result.output == "1 2 300\n" and result.stats["jit_deopts"] == 0
    (key, compiled), = vm.jit.osr.items()
    assert "raise DEOPT(" in compiled.source and "except DEOPT as why:" in compiled.source
    assert "if type(L0) is not int" in compiled.source  # x, an int when the frame moved


def test_guest_traces_through_osr_code_match_the_interpreter():
    for name in ("exception_escapes_the_osr_loop", "deep_recursion"):
        _, interpreted = run(name, jit=False)
        vm, compiled = run(name, jit=True)
        assert compiled.traceback == interpreted.traceback
    assert vm.jit.compiled  # the recursion ran compiled


def test_exceptions_caught_in_a_compiled_method_with_handlers():
    vm, result = run("exceptions_caught_inside_the_osr_loop", jit=True)
    assert result.stats["jit_osr_entries"] == 1 and not vm.jit.bailouts
    (method, offset, _), = vm.jit.osr_entries
    source = vm.jit.osr[(method, offset)].source
    assert "h = " in source and "S0, b, g = g.obj, h, None" in source  # the handler table


def test_a_method_that_recovers_from_out_of_memory_stays_interpreted():
    source = """
def hoard():
    kept = []
    try:
        while True:
            kept.append([0, 0, 0, 0])
    except OutOfMemoryError:
        n = len(kept)
        kept = None
        print("caught", n > 100)
    print("recovered", [1, 2, 3])

hoard()
"""
    vm = VM.from_source(source, "m.py", heap_limit=50_000)
    result = vm.run()
    assert result.output == "caught True\nrecovered [1, 2, 3]\n"
    assert result.stats["jit_osr_entries"] == 0
    assert any("OutOfMemoryError" in reason for reason in vm.jit.bailouts.values())


def test_hot_recursion_runs_compiled_while_the_first_call_is_still_interpreted():
    vm, result = run("hot_recursion_from_one_top_level_call", jit=True)
    stats = result.stats
    assert "hot_recursion_from_one_top_level_call.fib" in vm.jit.compiled
    assert stats["jit_osr_entries"] == 0  # no loop: the calls after the 2nd are compiled
    assert stats["interpreted_instructions"] < stats["instructions"] // 100


def test_budget_exhaustion_inside_osr_code_is_the_same_status():
    source = "def f():\n    t = 0\n    while True:\n        t += 1\n\nf()\n"
    outcomes = []
    for jit in (False, True):
        vm = VM.from_source(source, "b.py", jit=jit, max_instructions=5000)
        result = vm.run()
        outcomes.append((result.status, result.stats["jit_osr_entries"]))
    assert outcomes == [("budget", 0), ("budget", 1)]


def test_cli_stats_show_osr_entries(tmp_path):
    program = tmp_path / "once.py"
    program.write_text(PROGRAMS["loop_in_function_called_once"])
    done = subprocess.run([sys.executable, "-m", "vlab", "hll", "run", str(program), "--stats"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert done.stdout == run("loop_in_function_called_once", jit=False)[1].output
    stats = {key.strip(): value for key, value in (
        line.split(":", 1) for line in done.stderr.splitlines())}
    assert int(stats["jit_osr_entries"]) == 1 and int(stats["jit_deopts"]) == 0
