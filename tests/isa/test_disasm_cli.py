"""``vlab disasm``: an ELF file or hex words in, an objdump-style listing out."""

from __future__ import annotations

from pathlib import Path

from vlab.cli import main
from vlab.isa.asm import assemble


def test_hex_words(capsys) -> None:
    assert main(["disasm", "--hex", "00150513", "0xffdff06f", "--pc", "0x80000000"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["80000000:\t00150513\taddi a0,a0,1", "80000004:\tffdff06f\tj 80000000"]


def test_elf_file_listing_has_labels(tmp_path: Path, capsys) -> None:
    path = tmp_path / "prog.elf"
    path.write_bytes(assemble("_start: nop\nloop: j loop\n").to_elf())
    assert main(["disasm", str(path)]) == 0
    out = capsys.readouterr().out
    assert "80000004 <loop>:" in out and "j 80000004 <loop>" in out and "nop" in out


def test_bad_input_is_reported_with_status_1(tmp_path: Path, capsys) -> None:
    not_elf = tmp_path / "x.s"
    not_elf.write_text("nop\n")
    assert main(["disasm", str(not_elf)]) == 1
    assert "not an ELF file" in capsys.readouterr().err
    assert main(["disasm", "--hex", "xyz"]) == 1
    assert main(["disasm", "--hex", "123456789"]) == 1
    assert main(["disasm"]) == 1
    assert "Traceback" not in capsys.readouterr().err
