"""ELF files: read GCC-built RV32 executables, write our own, reject broken ones with a reason."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vlab.isa.asm import assemble
from vlab.isa.elf import ElfFormatError, load_elf

GCC = shutil.which("riscv64-unknown-elf-gcc")
READELF = shutil.which("riscv64-unknown-elf-readelf")
CORPUS = sorted((Path(__file__).parent / "asm_corpus").glob("*.s"))
needs_gcc = pytest.mark.skipif(GCC is None, reason="riscv64-unknown-elf-gcc not installed")

USER_C = """
volatile int counter = 5;
int table[4];
void _start(void) {
    for (int i = 0; i < 4; i++) table[i] = counter + i;
    for (;;) {}
}
"""
BARE_C = """
volatile unsigned int tohost __attribute__((section(".tohost")));
void _start(void) { tohost = 1; for (;;) {} }
"""


def gcc(tmp_path: Path, source: str, *flags: str) -> Path:
    c_file, elf = tmp_path / "prog.c", tmp_path / "prog.elf"
    c_file.write_text(source)
    subprocess.run([GCC, "-march=rv32ima", "-mabi=ilp32", "-nostdlib", "-static", "-O1",
                    *flags, "-o", elf, c_file], check=True, capture_output=True)
    return elf


@pytest.fixture
def user_elf(tmp_path: Path) -> Path:
    if GCC is None:
        pytest.skip("riscv64-unknown-elf-gcc not installed")
    return gcc(tmp_path, USER_C)


# ---- reading real GCC output -------------------------------------------------------------

@pytest.mark.toolchain
def test_loads_gcc_user_program(user_elf: Path) -> None:
    image = load_elf(user_elf)
    with open(user_elf, "rb") as f:
        elf = ELFFile(f)
        text = elf.get_section_by_name(".text")
        bss = elf.get_section_by_name(".bss")
        expected_entry = elf.header["e_entry"]
        text_addr, text_data = text["sh_addr"], text.data()
        bss_end = bss["sh_addr"] + bss["sh_size"]
    assert image.entry == expected_entry == image.symbols["_start"]
    code = next(s for s in image.segments if s.executable)
    offset = text_addr - code.vaddr
    assert code.data[offset:offset + len(text_data)] == text_data
    data = next(s for s in image.segments if s.writable)
    assert data.memsz > len(data.data) and data.vaddr + data.memsz >= bss_end  # .bss
    assert image.symbols["table"] >= data.vaddr
    assert image.describe(image.symbols["_start"] + 8) == "_start+0x8"
    assert image.name_of(image.symbols["counter"]) is not None
    assert not any(name.startswith("$") for name in image.symbols)
    assert image.is_user_program() and image.tohost is None


@pytest.mark.toolchain
@needs_gcc
def test_gcc_bare_metal_program_with_tohost(tmp_path: Path) -> None:
    image = load_elf(gcc(tmp_path, BARE_C, "-Wl,-Ttext=0x80000000"))
    assert image.tohost is not None and image.is_bare_metal()
    assert image.is_linked_at_ram_base()


# ---- writing --------------------------------------------------------------------------------

@pytest.mark.parametrize("source", CORPUS, ids=[p.stem for p in CORPUS])
def test_our_elf_loads_back_to_the_same_program(source: Path) -> None:
    program = assemble(source.read_text())
    image = load_elf(program.to_elf())
    assert image.entry == program.entry
    loaded = {(s.vaddr, s.data, s.memsz) for s in image.segments}
    assert loaded == {(s.address, s.data, s.size) for s in program.sections if s.size}
    for name, value in program.symbols.items():
        assert image.symbols[name] == value


def test_segment_permissions_follow_sections() -> None:
    program = assemble("_start: nop\n.section .rodata\n.word 1\n.data\n.word 2\n.bss\n.space 8")
    flags = {s.vaddr: (s.readable, s.writable, s.executable) for s in load_elf(
        program.to_elf()).segments}
    assert [flags[s.address] for s in program.sections] == [
        (True, False, True), (True, False, False), (True, True, False), (True, True, False)]


@pytest.mark.toolchain
@pytest.mark.skipif(READELF is None, reason="riscv64-unknown-elf-readelf not installed")
@pytest.mark.parametrize("source", CORPUS[:4], ids=[p.stem for p in CORPUS[:4]])
def test_readelf_accepts_our_elf_without_warnings(source: Path, tmp_path: Path) -> None:
    path = tmp_path / "prog.elf"
    path.write_bytes(assemble(source.read_text()).to_elf())
    result = subprocess.run([READELF, "-a", "-W", path], capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr == ""
    assert "EXEC (Executable file)" in result.stdout and "RISC-V" in result.stdout
    assert "_start" in result.stdout and "LOAD" in result.stdout


# ---- rejecting ------------------------------------------------------------------------------

def patched(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, value)
    return bytes(out)


GOOD = assemble("_start: nop\n.data\n.word 1").to_elf()


@pytest.mark.parametrize("data, reason", [
    (b"", "not an ELF file"),
    (b"\x7fELF\x01\x01", "truncated"),
    (b"MZ\x90\x00" + bytes(100), "not an ELF file"),
    (patched(GOOD, 4, "B", 2), "64-bit"),
    (patched(GOOD, 5, "B", 2), "little-endian"),
    (patched(GOOD, 18, "<H", 62), "not a RISC-V program"),
    (patched(GOOD, 16, "<H", 1), "ET_REL"),
    (patched(GOOD, 16, "<H", 3), "ET_DYN"),
    (GOOD[:0x1002], "outside the file"),
    (GOOD[:60], "program headers run past"),
    (patched(GOOD, 44, "<H", 0), "no loadable"),
])
def test_rejects_broken_files_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ElfFormatError, match=reason):
        load_elf(data)


def test_rejects_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ElfFormatError, match="cannot read"):
        load_elf(tmp_path / "nope.elf")


@pytest.mark.toolchain
@needs_gcc
def test_rejects_unlinked_object_file(tmp_path: Path) -> None:
    c_file, obj = tmp_path / "x.c", tmp_path / "x.o"
    c_file.write_text("int f(int x) { return x + 1; }\n")
    subprocess.run([GCC, "-march=rv32ima", "-mabi=ilp32", "-c", "-o", obj, c_file], check=True)
    with pytest.raises(ElfFormatError, match="ET_REL"):
        load_elf(obj)


SECTION_HEADERS_AT = struct.unpack_from("<I", GOOD, 32)[0]
HEADER_BYTES = st.integers(0, 52 + 32 * 2 - 1)  # ELF header and program headers
TABLE_BYTES = st.integers(SECTION_HEADERS_AT, len(GOOD) - 1)  # section headers


@settings(derandomize=True, max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.one_of(HEADER_BYTES, TABLE_BYTES, st.integers(0, len(GOOD) - 1)),
                          st.integers(0, 255)), max_size=8),
       st.integers(0, len(GOOD)))
def test_mutated_files_load_or_are_rejected_never_crash(changes, length) -> None:
    data = bytearray(GOOD)
    for offset, value in changes:
        data[offset] = value
    try:
        load_elf(bytes(data[:length]))
    except ElfFormatError as error:
        assert str(error)


def test_program_image_equals_the_image_of_its_elf_file() -> None:
    program = assemble(CORPUS[0].read_text())
    from_elf, direct = load_elf(program.to_elf()), program.to_image()
    assert (direct.entry, direct.segments, direct.symbols) == \
        (from_elf.entry, from_elf.segments, from_elf.symbols)
    assert direct.tohost == program.symbols["tohost"] and direct.is_bare_metal()
    assert direct.names_by_address()[program.entry] == "_start"
