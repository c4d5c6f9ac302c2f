"""Hostile programs: they cannot escape their policy, exhaust the host, or break the VM."""

from __future__ import annotations

import pytest

from vlab.application.hll.host import DirectoryHost, MemoryHost
from vlab.application.hll.policy import Policy
from vlab.application.hll.vm import VM

MODES = pytest.mark.parametrize("jit", [False, True], ids=["interpreter", "jit"])


def run(source, jit=True, **options):
    return VM.from_source(source, "hostile.py", jit=jit, jit_threshold=1, **options).run()


def test_reads_and_writes_are_confined_to_the_policy():
    host = MemoryHost({"/data/in.txt": b"hello", "/etc/passwd": b"root:x:0:0"})
    policy = Policy(read_paths=("/data",), write_paths=("/out",))
    source = """
def attempt(what, path):
    try:
        if what == "read":
            print(what, path, read_text(path))
        else:
            write_text(path, "pwned")
            print(what, path, "ok")
    except PermissionError as e:
        print(what, path, "denied:", e)

attempt("read", "/data/in.txt")
attempt("read", "/etc/passwd")
attempt("read", "/data/../etc/passwd")
attempt("write", "/out/result.txt")
attempt("write", "/data/in.txt")
attempt("write", "/out/../etc/passwd")
print(list_dir("/data"))
"""
    result = VM.from_source(source, host=host, policy=policy).run()
    assert result.status == "ok", result.message
    lines = result.output.splitlines()
    assert lines[0] == "read /data/in.txt hello"
    assert lines[1] == "read /etc/passwd denied: policy denies read access to /etc/passwd"
    assert lines[2].endswith("denied: policy denies read access to /etc/passwd")
    assert lines[3] == "write /out/result.txt ok"
    assert "denied" in lines[4] and "denied" in lines[5]
    assert lines[6] == "['in.txt']"
    assert host.files["/etc/passwd"] == b"root:x:0:0" and host.files["/data/in.txt"] == b"hello"
    assert host.files["/out/result.txt"] == b"pwned"


def test_directory_host_cannot_be_escaped(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "out").symlink_to(tmp_path)
    host = DirectoryHost(root)
    source = """
for path in ["/../../escape.txt", "/out/escape.txt", "ok.txt"]:
    try:
        write_text(path, "x")
        print(path, "written")
    except PermissionError as e:
        print(path, "refused")
"""
    result = VM.from_source(source, host=host, policy=Policy.allow_all()).run()
    assert result.status == "ok", result.message
    assert result.output.splitlines() == ["/../../escape.txt refused", "/out/escape.txt refused",
                                          "ok.txt written"]
    assert (root / "ok.txt").read_text() == "x"
    assert not (tmp_path / "escape.txt").exists()


def test_console_and_clock_need_capabilities():
    silent = run('print("hi")\n', policy=Policy(console=False))
    assert silent.status == "exception" and silent.output == ""
    assert "PermissionError: policy denies console output" in silent.message
    clock = run("try:\n    clock_ns()\nexcept PermissionError:\n    print('no clock')\n",
                policy=Policy(clock=False))
    assert clock.output == "no clock\n"


def test_clock_is_modeled_and_deterministic():
    source = "a = clock_ns()\nfor i in range(100):\n    pass\nprint(clock_ns() - a)\n"
    first, second = run(source), run(source)
    assert first.output == second.output and int(first.output) > 0


@MODES
def test_infinite_loop_is_stopped_by_the_budget(jit):
    source = "def spin():\n    while True:\n        pass\nspin()\nspin()\n"
    result = run(source, jit=jit, max_instructions=50_000)
    assert result.status == "budget" and result.exit_code == 3
    assert result.stats["instructions"] <= 50_010


@MODES
def test_runaway_recursion_is_a_guest_recursion_error(jit):
    source = """
def down(n):
    return down(n + 1) + 1

try:
    down(0)
except RecursionError:
    print("caught")
down(0)
"""
    result = run(source, jit=jit)
    assert result.output == "caught\n"
    assert result.status == "exception" and result.message.startswith("RecursionError")


@MODES
@pytest.mark.parametrize("bomb,error", [
    ("s = 'x'\nwhile True:\n    s = s + s\n", "OutOfMemoryError"),
    ("xs = [0] * 1000000000\n", "OutOfMemoryError"),
    ("s = 'ab' * 10000000000\n", "OutOfMemoryError"),
    ("xs = list(range(1000000000))\n", "OutOfMemoryError"),
    ("x = 3\nwhile True:\n    x = x * x\n", "OverflowError"),
    ("s = 'x' * 100000\nxs = [s] * 100\nprint(xs)\n", "OutOfMemoryError"),
    ("d = {}\ni = 0\nwhile True:\n    d[i] = i\n    i += 1\n", "OutOfMemoryError"),
    ("s = ','.join(['x' * 1000] * 3000)\n", "OutOfMemoryError"),
    ("s = ' ' * 900000\nxs = s.split(' ')\n", "OutOfMemoryError"),
    ("print(sum(range(1000000000000000)))\n", "OutOfMemoryError"),
])
def test_memory_bombs_hit_the_heap_limit(bomb, error, jit):
    source = "def bomb():\n" + "".join("    " + line + "\n" for line in bomb.splitlines())
    result = run(source + "bomb()\n", jit=jit, heap_limit=1_000_000)
    assert result.status == "exception"
    assert result.message.startswith(error), result.message


def test_work_inside_natives_is_charged_to_the_budget():
    result = run("print(sum(range(50000)))\n", max_instructions=10_000)
    assert result.status == "budget"


def test_console_output_is_bounded():
    vm = VM.from_source("while True:\n    print('x' * 1000)\n")
    vm.rt.max_output = 100_000
    result = vm.run()
    assert result.status == "exception" and "output limit" in result.message
    assert len(result.output) <= 100_000


def test_guest_cannot_reach_vm_internals():
    from vlab.application.hll.classfile import write
    from vlab.application.hll.compiler import compile_source
    from vlab.application.hll.constpool import Entry
    from vlab.application.hll.errors import CompileError
    from vlab.application.hll.loader import MemoryEntry

    with pytest.raises(CompileError, match="reserved attribute name '_vm_cls'"):
        run("class A:\n    pass\nprint(A()._vm_cls)\n")
    # a hand-made class file that tries the same is rejected by the verifier
    classes = compile_source("class A:\n    pass\nprint(A().secret)\n", "h.py")
    pool = classes[0].pool
    index = next(i for i, e in enumerate(pool.entries) if e and e.value == "secret")
    pool.entries[index] = Entry("UTF8", "_vm_cls")
    result = VM(MemoryEntry({c.name: write(c) for c in classes})).run("h")
    assert result.status == "rejected" and "reserved field name '_vm_cls'" in result.message


def test_host_objects_do_not_leak_through_attributes():
    result = run("xs = []\nprint(xs.append)\n")
    assert result.status == "exception"
    assert result.message == "AttributeError: 'list' object has no attribute 'append'"


class _FailingDisk(MemoryHost):
    """A host whose disk fails: every read raises a plain OSError (e.g. EIO, EDQUOT)."""

    def read_file(self, path: str) -> bytes:
        raise OSError(f"I/O error reading {path}")


@MODES
def test_a_failing_host_is_a_catchable_guest_oserror(jit):
    source = """
try:
    read_text("/data/in.txt")
except OSError as e:
    print("caught:", e)
"""
    result = VM.from_source(source, "disk.py", jit=jit, host=_FailingDisk({}),
                            policy=Policy(read_paths=("/data",))).run()
    assert result.status == "ok", result.message
    assert result.output == "caught: I/O error reading /data/in.txt\n"
