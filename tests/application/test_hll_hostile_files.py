"""Issue 16, items 1, 3, 12, 13: files a hostile program (or its directory) can use.

* item 3: the policy judged the path as written while the host followed symbolic links
  (``--allow-read /w`` with ``w/p -> /etc/passwd`` printed /etc/passwd);
* item 1: ``read_text`` of a symbolic link to ``/dev/zero`` grew without bound;
* item 12: ``write_text`` wrote 1.6 GB within 200k instructions (no quota);
* item 13: ``read_text``/``write_text`` on a FIFO blocked beyond any budget.
"""

from __future__ import annotations

import os

import pytest

from vlab.application.hll.host import DirectoryHost
from vlab.application.hll.policy import Policy
from vlab.application.hll.vm import VM

ATTEMPT = """
def attempt(what, path):
    try:
        if what == "read":
            text = read_text(path)
            print(what, path, "ok", len(text))
        elif what == "list":
            print(what, path, list_dir(path))
        else:
            write_text(path, "pwned")
            print(what, path, "ok")
    except PermissionError as e:
        print(what, path, "PermissionError:", e)
    except OSError as e:
        print(what, path, "OSError:", e)
    except OutOfMemoryError as e:
        print(what, path, "OutOfMemoryError:", e)
"""


@pytest.fixture
def world(tmp_path):
    """The guest's root ``/`` is ``root``; ``/w`` may be read and written."""
    root = tmp_path / "root"
    (root / "w").mkdir(parents=True)
    (root / "w" / "ok.txt").write_text("fine")
    (root / "secret.txt").write_text("top secret")
    (root / "w" / "p").symlink_to(root / "secret.txt")      # a link to a file outside /w
    (root / "w" / "up").symlink_to(root)                     # a link to a directory above
    (root / "w" / "inside").symlink_to(root / "w" / "ok.txt")
    (root / "elsewhere").mkdir()
    return root


def run(root, source, **options):
    policy = Policy(read_paths=("/w",), write_paths=("/w",))
    vm = VM.from_source(ATTEMPT + source, "hostile.py", host=DirectoryHost(root),
                        policy=policy, **options)
    return vm.run()


def test_a_symbolic_link_is_judged_where_it_leads(world):
    result = run(world, """
attempt("read", "/w/ok.txt")
attempt("read", "/w/inside")
attempt("read", "/w/p")
attempt("list", "/w/up")
attempt("read", "/w/up/secret.txt")
attempt("write", "/w/up/elsewhere/x.txt")
attempt("write", "/w/p")
""")
    assert result.status == "ok", result.message
    lines = result.output.splitlines()
    assert lines[0] == "read /w/ok.txt ok 4"
    assert lines[1] == "read /w/inside ok 4"
    assert lines[2] == ("read /w/p PermissionError: policy denies read access to /secret.txt "
                        "(/w/p leads there by a symbolic link)")
    assert lines[3].startswith("list /w/up PermissionError: policy denies read access to / ")
    assert "denies read access to /secret.txt" in lines[4]
    assert "denies write access to /elsewhere/x.txt" in lines[5]
    assert "denies write access to /secret.txt" in lines[6]
    assert (world / "secret.txt").read_text() == "top secret"
    assert not (world / "elsewhere" / "x.txt").exists()


def test_an_allowed_directory_that_is_a_link_is_judged_where_it_leads(world):
    (world / "data").symlink_to(world / "w")
    policy = Policy(read_paths=("/data",))
    vm = VM.from_source(ATTEMPT + 'attempt("read", "/w/ok.txt")\nattempt("read", "/data/p")\n',
                        host=DirectoryHost(world), policy=policy)
    lines = vm.run().output.splitlines()
    assert lines[0] == "read /w/ok.txt ok 4"  # /data is /w
    assert "denies read access to /secret.txt" in lines[1]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_are_refused_before_reading(world, device):
    (world / "w" / "dev").symlink_to(device)
    policy = Policy(read_paths=("/",), write_paths=("/",))
    host = DirectoryHost("/")  # guest / is the host's /: the device itself is reachable
    vm = VM.from_source(ATTEMPT + f'attempt("read", "{world}/w/dev")\n'
                        f'attempt("write", "{world}/w/dev")\n', host=host, policy=policy)
    result = vm.run()
    lines = result.output.splitlines()
    assert lines[0].endswith("is a device: only regular files can be read or written")
    assert lines[1].endswith("is a device: only regular files can be read or written")


def test_a_fifo_is_refused_and_never_blocks(world):
    os.mkfifo(world / "w" / "pipe")
    result = run(world, 'attempt("read", "/w/pipe")\nattempt("write", "/w/pipe")\n')
    lines = result.output.splitlines()
    assert lines == ["read /w/pipe PermissionError: /w/pipe is a FIFO: only regular files "
                     "can be read or written"] * 1 + [
                     "write /w/pipe PermissionError: /w/pipe is a FIFO: only regular files "
                     "can be read or written"]


def test_a_file_bigger_than_the_heap_is_not_read(world):
    (world / "w" / "big.txt").write_bytes(b"x" * 300_000)
    result = run(world, 'attempt("read", "/w/big.txt")\n', heap_limit=100_000)
    assert result.output == ("read /w/big.txt OutOfMemoryError: /w/big.txt holds 300000 "
                             "bytes, more than the 100000 this program may read (the heap "
                             "limit): read a smaller file or raise --heap\n")


def test_writes_have_a_quota_per_run(world):
    source = """
chunk = "z" * 100000
for i in range(100):
    try:
        write_text("/w/out" + str(i) + ".txt", chunk)
    except OSError as e:
        print(i, e)
        break
"""
    result = run(world, source, max_write=1_000_000)
    assert result.output.startswith("10 write_text('/w/out10.txt'): the file quota of 1000000 "
                                    "bytes per run would be exceeded (1000000 written so far")
    written = sum(f.stat().st_size for f in (world / "w").glob("out*.txt"))
    assert written == 1_000_000


def test_empty_files_count_one_block_each_against_the_quota(world):
    source = """
for i in range(100000):
    try:
        write_text("/w/e" + str(i), "")
    except OSError as e:
        print(i, e)
        break
"""
    result = run(world, source, max_write=40960)
    assert result.output.startswith("10 write_text('/w/e10'): the file quota of 40960 bytes")
    assert len(list((world / "w").glob("e*"))) == 10
