"""Hostile assembly (issue 16, items 9, 10 and 17): each attack, scaled to stay fast, ends
in a clear AssemblyError -- never a Python exception, never gigabytes -- and the GNU as
behaviours the attacker found missing (.dword, .option arch, raw bytes) match binutils."""
from __future__ import annotations

import shutil
import subprocess
import tracemalloc

import pytest
from elftools.elf.elffile import ELFFile

from vlab.cli import main
from vlab.isa.asm import AssemblyError, assemble
from vlab.isa.asm.assembler import MAX_PROGRAM_BYTES

AS = shutil.which("riscv64-unknown-elf-as")


def error_of(source: str, **options) -> str:
    with pytest.raises(AssemblyError) as caught:
        assemble(source, **options)
    return str(caught.value)


def data_of(source: str, name: str = ".data") -> bytes:
    return next(s.data for s in assemble(source).sections if s.name == name)


# -- item 9: numbers past 64 bits and values that used to grow without bound -----------

@pytest.mark.parametrize("number", ["0x" + "f" * 3600, "9" * 5000, "0b" + "1" * 65,
                                    "0x1" + "0" * 16])
def test_huge_number_is_a_short_clear_error(number):
    message = error_of(f".data\n.word {number}\n")
    assert "does not fit in 64 bits" in message and len(message) < 1000


@pytest.mark.parametrize("use", [".space BIG", ".align BIG", ".balign BIG", "li a0, BIG",
                                 ".word BIG", ".skip BIG, 1"])
def test_huge_equ_values_are_clear_errors(use):
    squares = "\n".join(f".equ B{i + 1}, B{i} * B{i} * B{i}" for i in range(40))
    source = f".equ B0, 0x7fffffffffffffff\n{squares}\n.equ BIG, B40\n.text\n{use}\n"
    assert "error" in error_of(source)


def test_expressions_wrap_at_64_bits_as_gnu_as():
    data = data_of(".data\n.dword 0x7fffffffffffffff + 1, (1 << 63) * 2, -(1 << 63)\n")
    assert data == bytes(7) + b"\x80" + bytes(8) + bytes(7) + b"\x80"


# -- item 10: the total of .space is capped, and .bss takes no host memory -------------

def test_six_big_bss_spaces_are_refused_quickly():
    source = ".bss\n" + ".space 0x10000000\n" * 6
    tracemalloc.start()
    try:
        message = error_of(source)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert f"more than the {MAX_PROGRAM_BYTES >> 20} MiB" in message
    assert peak < 16 << 20


def test_a_big_bss_is_never_materialised():
    tracemalloc.start()
    try:
        program = assemble("_start: nop\n.bss\n.space 0x8000000\n")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    bss = next(s for s in program.sections if s.name == ".bss")
    assert bss.size == 0x8000000 and bss.data == b"" and peak < 16 << 20


# -- item 17: segments never wrap past 4 GiB -------------------------------------------

def test_a_section_running_past_4_gib_is_refused():
    message = error_of("_start: nop\n.bss\n.space 0x8000004\n", text_base=0xF800_0000)
    assert "runs past the end of the 32-bit address space" in message


def test_cli_text_base_wrap_is_exit_1(tmp_path, capfd):
    source = tmp_path / "wrap.s"
    source.write_text("_start: nop\n.bss\n.space 0x8000004\n")
    assert main(["asm", str(source), "--text-base", "0xF8000000"]) == 1
    err = capfd.readouterr().err
    assert "32-bit address space" in err and "Traceback" not in err


# -- item 17: unterminated /* -----------------------------------------------------------

def test_unterminated_block_comment_is_an_error_where_it_opens():
    message = error_of("_start: nop\n  nop /* never\nclosed\n")
    assert "2:7: error: unterminated comment" in message


def test_closed_block_comments_still_vanish():
    assert assemble("_start: nop /* a\n b */ nop\n").sections[0].data[:8] == \
        bytes.fromhex("1300000013000000")


# -- item 17: .ascii raw bytes, .dword, .option arch ------------------------------------

RAW = b'.data\n.ascii "\xff\xfe"\n.asciz "caf\xc3\xa9"\n'


def test_raw_bytes_in_strings_are_kept_as_gnu_as_keeps_them():
    source = RAW.decode("utf-8", "surrogateescape")     # how vlab asm and vlab run read
    assert data_of(source) == b"\xff\xfecaf\xc3\xa9\0"


def test_option_arch_accepts_what_vlab_assembles_and_refuses_the_rest():
    assemble(".option arch, +zifencei\n.option arch, -m, +a\n_start: fence.i\n")
    assert "RVC" in error_of(".option arch, +c\n")
    assert "not supported" in error_of(".option arch, +v\n")
    assert "unknown .option" in error_of(".option bogus\n")


def gnu_data(tmp_path, source: bytes) -> bytes:
    path, obj = tmp_path / "g.s", tmp_path / "g.o"
    path.write_bytes(source)
    subprocess.run([AS, "-march=rv32ima_zicsr_zifencei", "-mabi=ilp32", "-o", obj, path],
                   check=True, capture_output=True)
    with open(obj, "rb") as file:
        return ELFFile(file).get_section_by_name(".data").data()


@pytest.mark.toolchain
@pytest.mark.skipif(AS is None, reason="riscv64-unknown-elf binutils missing")
@pytest.mark.parametrize("source", [
    RAW,
    b".data\n.dword 0x1122334455667788, -2, 1 << 40\n.8byte 7\n.quad -1\n",
    b".option arch, +zifencei\n.data\n.word 1\n.dword (1 << 63) * 2 + 5\n",
])
def test_against_gnu_as(tmp_path, source):
    ours = data_of(source.decode("utf-8", "surrogateescape"))
    assert ours == gnu_data(tmp_path, source)
