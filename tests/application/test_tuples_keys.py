"""Tuples as dict keys: hashing one is charged by its items (``work.hashing``), and a key
nested too deep for the host's recursive ``tuplehash`` is a guest ``RecursionError``, not
a crash of the host process.

CPython hashes a tuple by hashing every item, every time (Objects/tupleobject.c,
``tuplehash``), recursively: a million-deep nested tuple overflows the C stack of the
process that hashes it (a segmentation fault), so the VM walks the key itself first.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from vlab.application.hll.vm import VM


def run(source, jit=False, **options):
    vm = VM.from_source(source, "keys.py", jit=jit, jit_threshold=1, **options)
    return vm, vm.run()


def instructions(source: str) -> int:
    vm, result = run(source)
    assert result.status == "ok", result.traceback
    return vm.rt.icount


@pytest.mark.parametrize("use", ["d[t] = 1", "x = d[t]", "x = t in d", "x = t in d.keys()",
                                 "x = (t, 1) in d.items()", "x = t not in d"])
def test_a_tuple_key_is_charged_per_item_hashed(use):
    source = "n = {}\nt = (0,) * n\nd = {{t: 1}}\nfor _ in range(20):\n    " + use + "\n"
    small = instructions(source.format(10))
    big = instructions(source.format(10_000))
    assert big - small >= 20 * (10_000 - 10)  # at least one per item, every lookup


def test_nested_tuples_and_their_strings_are_walked():
    source = ("s = 'x' * {}\nt = ((s, (s,)), s)\nd = {{}}\nfor _ in range(10):\n"
              "    d[t] = 1\n")
    small = instructions(source.format(64))
    big = instructions(source.format(64 * 1000))
    assert big - small >= 10 * 3 * (1000 - 1)  # three strings of 1,000 instructions each


@pytest.mark.parametrize("jit", [False, True])
def test_tuple_keys_behave_as_in_cpython(jit):
    source = ("d = {(1, 'a'): 'x', ((2, 3), 4): 'y'}\nd[(1, 'a')] = 'z'\n"
              "print(d, (1, 'a') in d, ((2, 3), 4) in d.keys(), (((2, 3), 4), 'y') in "
              "d.items(), d[((2, 3), 4)], len(d))\n")
    _, result = run(source, jit=jit)
    assert result.output == ("{(1, 'a'): 'z', ((2, 3), 4): 'y'} True True True y 2\n")


@pytest.mark.parametrize("flags", [[], ["--no-jit"]])
def test_a_key_nested_too_deep_is_a_guest_recursion_error_not_a_host_crash(tmp_path, flags):
    program = tmp_path / "deep.py"
    program.write_text("t = ()\nfor i in range(10**6):\n    t = (t,)\nd = {}\n"
                       "try:\n    d[t] = 1\nexcept RecursionError:\n    print('too deep')\n"
                       "print(t in d)\n")
    done = subprocess.run([sys.executable, "-m", "vlab", "hll", "run", str(program),
                           "--heap", str(2**26), *flags],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr  # a guest exception, not -11 (SIGSEGV)
    assert done.stdout == "too deep\n"
    assert done.stderr.splitlines()[-1] == "RecursionError: maximum recursion depth exceeded"


@pytest.mark.parametrize("use", ["x = d.get(t)", "x = d.pop(t, 0)"])
def test_dict_methods_charge_a_tuple_key_per_item(use):
    source = "n = {}\nt = (0,) * n\nd = {{}}\nfor _ in range(20):\n    " + use + "\n"
    assert instructions(source.format(10_000)) - instructions(source.format(10)) >= 20 * 9990


@pytest.mark.parametrize("use", ["d.get(t)", "d.pop(t, 0)"])
def test_dict_methods_on_a_key_nested_too_deep_do_not_crash_the_host(tmp_path, use):
    program = tmp_path / "deep.py"
    program.write_text("t = ()\nfor i in range(10**6):\n    t = (t,)\nd = {}\n"
                       f"print({use})\n")
    done = subprocess.run([sys.executable, "-m", "vlab", "hll", "run", str(program),
                           "--heap", str(2**26)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.returncode  # -11 (SIGSEGV) until natives.py walks it
    assert done.stderr.splitlines()[-1] == "RecursionError: maximum recursion depth exceeded"
