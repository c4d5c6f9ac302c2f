"""The pinned zig toolchain and the build cache: a second build of unchanged inputs is a
cache hit (no compiler run, same bytes); changing a source, a header, a runtime file, a
flag or the compiler version builds again.  Also: a static musl program."""
from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest

from vlab.isa.elf import load_elf
from vlab.isa.runtime import BuildCache, CompileError, build, build_cache, driver, toolchains

PROGRAMS = Path(__file__).parent / "c_programs"


@pytest.fixture
def program(tmp_path) -> Path:
    source = tmp_path / "src" / "hello.c"
    source.parent.mkdir()
    source.write_text('#include "vlab.h"\nint main(void) { printf("hi\\n"); return 0; }\n')
    return source


@pytest.fixture
def cache(tmp_path) -> BuildCache:
    return BuildCache(tmp_path / "cache")


@pytest.fixture
def compiler_runs(monkeypatch) -> list:
    """The command lines build() hands to subprocess.run, recorded (and still run)."""
    calls, real_run = [], subprocess.run

    def spy(command, *args, **kwargs):
        calls.append(command)
        return real_run(command, *args, **kwargs)
    monkeypatch.setattr(driver.subprocess, "run", spy)
    return calls


def test_second_build_is_a_cache_hit(program, cache, compiler_runs, tmp_path):
    first = build(program, tmp_path / "a.elf", cache=cache)
    second = build(program, tmp_path / "b.elf", cache=cache)
    assert (first.cached, second.cached) == (False, True)
    assert len(compiler_runs) == 1
    assert (tmp_path / "a.elf").read_bytes() == (tmp_path / "b.elf").read_bytes()
    assert load_elf(tmp_path / "b.elf").entry == 0x8040_0000


def test_a_changed_source_or_header_beside_it_rebuilds(program, cache, tmp_path):
    assert not build(program, tmp_path / "a.elf", cache=cache).cached
    program.write_text(program.read_text().replace("hi", "ho"))
    assert not build(program, tmp_path / "a.elf", cache=cache).cached
    (program.parent / "extra.h").write_text("#define EXTRA 1\n")
    assert not build(program, tmp_path / "a.elf", cache=cache).cached
    assert build(program, tmp_path / "a.elf", cache=cache).cached


def test_a_changed_flag_mode_or_compiler_version_rebuilds(program, cache, tmp_path,
                                                         monkeypatch):
    out = tmp_path / "a.elf"
    assert not build(program, out, cache=cache).cached
    assert not build(program, out, cache=cache, extra_flags=["-DLEVEL=2"]).cached
    assert not build(program, out, cache=cache, mode="bare").cached
    newer = dataclasses.replace(toolchains.TOOLCHAINS["zig"], identify=lambda: "ziglang 9.9")
    monkeypatch.setitem(toolchains.TOOLCHAINS, "zig", newer)
    assert not build(program, out, cache=cache).cached


def test_touching_a_runtime_source_rebuilds(program, cache, tmp_path, monkeypatch):
    runtime_copy = tmp_path / "runtime"
    shutil.copytree(driver.RUNTIME_DIR, runtime_copy,
                    ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    monkeypatch.setattr(driver, "RUNTIME_DIR", runtime_copy)
    assert not build(program, tmp_path / "a.elf", cache=cache).cached
    assert build(program, tmp_path / "a.elf", cache=cache).cached
    with open(runtime_copy / "printf.c", "a") as file:
        file.write("/* touched */\n")
    assert not build(program, tmp_path / "a.elf", cache=cache).cached


def test_a_cache_hit_shows_the_same_warnings(cache, tmp_path):
    source = tmp_path / "warn.c"
    source.write_text('#include "vlab.h"\nint main(void) { int unused; return 0; }\n')
    first = build(source, tmp_path / "a.elf", cache=cache)
    second = build(source, tmp_path / "b.elf", cache=cache)
    assert "unused" in first.diagnostics and "warning" in first.diagnostics
    assert (second.cached, second.diagnostics) == (True, first.diagnostics)


def test_a_failed_build_stores_nothing_and_writes_are_atomic(program, cache, tmp_path):
    bad = tmp_path / "bad.c"
    bad.write_text("int main(void) { return }\n")
    with pytest.raises(CompileError, match="expected expression"):
        build(bad, tmp_path / "bad.elf", cache=cache)
    assert not cache.directory.exists() or not any(cache.directory.iterdir())
    build(program, tmp_path / "a.elf", cache=cache)
    names = sorted(p.suffix for p in cache.directory.iterdir())
    assert names == [".elf", ".txt"]            # no temporary file left behind


def test_an_unwritable_cache_still_builds(program, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    done = build(program, tmp_path / "a.elf", cache=BuildCache(blocker / "cache"))
    assert not done.cached and load_elf(done.image).entry == 0x8040_0000


def test_no_cache_always_compiles(program, compiler_runs, tmp_path):
    for _ in range(2):
        assert not build(program, tmp_path / "a.elf", cache=False).cached
    assert len(compiler_runs) == 2


def test_cache_directory_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("VLAB_CACHE", str(tmp_path / "v"))
    assert build_cache.default_directory() == tmp_path / "v" / "c"
    monkeypatch.delenv("VLAB_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert build_cache.default_directory() == tmp_path / "x" / "vlab" / "c"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert build_cache.default_directory() == tmp_path / "home" / ".cache" / "vlab" / "c"


def test_keys_separate_fields(tmp_path):
    """Length-prefixed fields: moving a byte from one flag to the next changes the key."""
    assert (build_cache.build_key("zig", ["-DA", "B"], [])
            != build_cache.build_key("zig", ["-DAB", ""], []))


MUSL_HELLO = '#include <stdio.h>\nint main(void) { printf("musl %d\\n", 32); return 3; }\n'


@pytest.fixture(scope="module")
def musl_hello(tmp_path_factory) -> Path:
    """A static musl program; zig builds musl libc for riscv32 from source on first use
    (about 30 s once, then zig's own cache has it)."""
    directory = tmp_path_factory.mktemp("musl")
    (directory / "hello_musl.c").write_text(MUSL_HELLO)
    return build(directory / "hello_musl.c", directory / "m.elf", libc="musl",
                 cache=BuildCache(directory / "cache")).image


def test_musl_static_program_links(musl_hello):
    image = load_elf(musl_hello)
    assert image.entry < 0x8000_0000                  # Linux's layout: it runs with Sv32
    assert "__libc_start_main" in image.symbols and "main" in image.symbols


def test_musl_static_program_runs(musl_hello):
    from vlab.os.boot import run_program
    done = run_program(musl_hello, max_instructions=5_000_000)
    assert (done.stdout, done.exit_code) == (b"musl 32\n", 3)
