"""The userland's build: every program compiles for riscv32 into a static RV32 ELF,
the build is cached by content, a compile error names the program."""

import shutil
import struct

import pytest

from vlab.os.userland import ALIASES, ETC_FILES, PROGRAMS, build_userland, userland_files
from vlab.os.userland import build as build_module

EM_RISCV, ET_EXEC, PT_INTERP, PT_DYNAMIC = 243, 2, 3, 2


def elf_facts(data: bytes):
    """(class, machine, type, program header types) of an ELF32 image."""
    assert data[:4] == b"\x7fELF"
    e_type, e_machine = struct.unpack_from("<HH", data, 16)
    e_phoff, = struct.unpack_from("<I", data, 28)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 42)
    types = [struct.unpack_from("<I", data, e_phoff + i * e_phentsize)[0]
             for i in range(e_phnum)]
    return data[4], e_machine, e_type, types


def test_userland_files_are_static_rv32_executables():
    files = userland_files()
    assert set(files) == set(PROGRAMS.values()) | set(ALIASES) | set(ETC_FILES)
    assert files["/bin/["] == files["/bin/test"]
    assert "/bin/sh" in files and "/sbin/init" in files
    for path in PROGRAMS.values():
        elf_class, machine, kind, segments = elf_facts(files[path])
        assert (elf_class, machine, kind) == (1, EM_RISCV, ET_EXEC), path
        assert PT_INTERP not in segments and PT_DYNAMIC not in segments, path
        assert len(files[path]) < 128 * 1024, path          # -Os, static musl


def test_etc_files_name_root():
    assert ETC_FILES["/etc/passwd"].startswith(b"root:x:0:0:")
    assert ETC_FILES["/etc/group"].startswith(b"root:x:0:")


def test_cached_build_is_reused():
    first = build_userland()
    stamp = first["sh"].stat().st_mtime_ns
    again = build_userland()
    assert again == first and again["sh"].stat().st_mtime_ns == stamp


def test_build_into_a_directory(tmp_path):
    built = build_userland(tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted([*PROGRAMS, "["])
    assert (tmp_path / "out" / "[").resolve() == built["test"].resolve()
    assert built["init"].read_bytes() == userland_files()["/sbin/init"]


def test_a_compile_error_names_the_program(tmp_path, monkeypatch):
    sources = tmp_path / "src"
    shutil.copytree(build_module.SOURCE_DIR, sources)
    (sources / "wc.c").write_text("int main(void) { return undeclared; }\n")
    monkeypatch.setattr(build_module, "SOURCE_DIR", sources)
    with pytest.raises(build_module.UserlandBuildError,
                       match=r"(?s)program wc .*undeclared identifier"):
        build_userland(tmp_path / "out")


def test_an_incomplete_cached_directory_is_replaced(tmp_path, monkeypatch):
    monkeypatch.setenv("VLAB_CACHE", str(tmp_path / "cache"))
    first = build_userland(target="native")
    first["wc"].unlink()                      # an interrupted copy, say
    again = build_userland(target="native")
    assert again["wc"].is_file() and again == first
    assert sorted(p.name for p in again["sh"].parent.parent.iterdir()) == [again["sh"].parent.name]


def test_an_unwritable_cache_still_builds(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")          # (chmod does not stop root)
    monkeypatch.setenv("VLAB_CACHE", str(blocker / "cache"))
    built = build_userland(target="native")
    assert built["sh"].is_file() and not str(built["sh"]).startswith(str(blocker))
