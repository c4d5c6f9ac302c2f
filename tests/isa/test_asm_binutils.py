"""Our assembler against GNU binutils, byte for byte, on the corpus in asm_corpus/.

For each program: GNU ``as`` (``-march=rv32ima_zicsr_zifencei_h -mabi=ilp32``; no ``c`` in
the march means no compressed instructions, ``-mno-relax`` means no R_RISCV_RELAX, so
``call``/``tail``/``la`` stay auipc pairs) assembles it, and ``ld --no-relax`` links it
with a linker script that puts every section at the address our assembler chose.  Then
every section's bytes and every symbol's address must be equal.  Skipped when the
toolchain (Debian: binutils-riscv64-unknown-elf) is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from vlab.isa.asm import assemble

CORPUS = sorted((Path(__file__).parent / "asm_corpus").glob("*.s"))
AS = shutil.which("riscv64-unknown-elf-as")
GCC = shutil.which("riscv64-unknown-elf-gcc")
LD = shutil.which("riscv64-unknown-elf-ld")
pytestmark = [pytest.mark.toolchain,
              pytest.mark.skipif(not (AS and LD), reason="riscv64-unknown-elf binutils missing")]


def run_tool(*command) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"{command[0]} failed:\n{result.stderr}")


def gnu_build(source: Path, program, workdir: Path) -> Path:
    """GNU as + ld, with each section placed where our assembler placed it."""
    obj, elf, script = workdir / "prog.o", workdir / "prog.elf", workdir / "link.ld"
    run_tool(AS, "-march=rv32ima_zicsr_zifencei_h", "-mabi=ilp32", "-mno-relax", "-o", obj, source)
    placements = "\n".join(f"  {s.name} {s.address:#x} : {{ *({s.name}) }}"
                           for s in program.sections)
    script.write_text(f"SECTIONS\n{{\n{placements}\n}}\n")
    run_tool(LD, "-m", "elf32lriscv", "--no-relax", "-T", script, "-o", elf, obj)
    return elf


def first_difference(a: bytes, b: bytes) -> int:
    return next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))


def gnu_sections_and_symbols(elf_path: Path) -> tuple[dict, dict]:
    with open(elf_path, "rb") as f:
        elf = ELFFile(f)
        sections = {s.name: (s["sh_addr"], s.data() if s["sh_type"] != "SHT_NOBITS" else b"",
                             s["sh_size"])
                    for s in elf.iter_sections() if s["sh_flags"] & 2}  # SHF_ALLOC
        symbols = {s.name: s["st_value"] for s in elf.get_section_by_name(".symtab").iter_symbols()
                   if s.name and not s.name.startswith((".L", "$"))
                   and s["st_info"]["type"] == "STT_NOTYPE"
                   and s["st_shndx"] != "SHN_UNDEF"}
    return sections, symbols


@pytest.mark.parametrize("source", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_matches_gnu_as_byte_for_byte(source: Path, tmp_path: Path) -> None:
    assert_same_as_gnu(source, tmp_path)


C_PROGRAM = """
static const char *msg = "hello, world\\n";
int squares[8];
int sum(int n) {
    int s = 0;
    for (int i = 0; i < n; i++) { squares[i & 7] = i * i; s += squares[i & 7]; }
    return s;
}
int divide(int a, int b) { return a / b + a % b; }
void _start(void) { volatile int r = sum(10) + divide(100, 7) + msg[0]; for (;;) {} }
"""


@pytest.mark.skipif(GCC is None, reason="riscv64-unknown-elf-gcc not installed")
@pytest.mark.parametrize("optimization", ["-O0", "-O2", "-Os"])
def test_gcc_assembly_output_matches_gnu_as(optimization: str, tmp_path: Path) -> None:
    """What students will also feed us: GCC's -S output (.option, .attribute, .type...)."""
    c_file, s_file = tmp_path / "prog.c", tmp_path / "prog.s"
    c_file.write_text(C_PROGRAM)
    run_tool(GCC, "-march=rv32ima", "-mabi=ilp32", optimization, "-S", "-o", s_file, c_file)
    assert_same_as_gnu(s_file, tmp_path)


def assert_same_as_gnu(source: Path, tmp_path: Path) -> None:
    ours = assemble(source.read_text(), filename=source.name)
    gnu_sections, gnu_symbols = gnu_sections_and_symbols(gnu_build(source, ours, tmp_path))
    for section in ours.sections:
        address, data, size = gnu_sections[section.name]
        assert (section.address, section.size) == (address, size), section.name
        if data != section.data:
            at = first_difference(data, section.data)
            pytest.fail(f"{section.name} differs at {section.address + at:#x}: "
                        f"gnu {data[at:at + 8].hex()} ours {section.data[at:at + 8].hex()}")
    assert {name: gnu_symbols[name] for name in ours.symbols if name in gnu_symbols} == \
        {name: value for name, value in ours.symbols.items() if name in gnu_symbols}
    assert set(gnu_symbols) <= set(ours.symbols)


def test_corpus_is_big_enough() -> None:
    assert len(CORPUS) >= 10
