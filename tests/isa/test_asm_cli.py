"""``vlab asm``: source in, ELF out; errors on stderr with exit status 1, never a traceback."""

from __future__ import annotations

from pathlib import Path

from vlab.cli import main
from vlab.isa.elf import load_elf


def test_assembles_to_an_elf_file(tmp_path: Path, capsys) -> None:
    source = tmp_path / "prog.s"
    source.write_text(".globl _start\n_start: li a0, 42\n ecall\n")
    out = tmp_path / "prog.elf"
    assert main(["asm", str(source), "-o", str(out), "--text-base", "0x10000"]) == 0
    image = load_elf(out)
    assert image.entry == 0x10000 == image.symbols["_start"]
    assert image.segments[0].data == bytes.fromhex("1305a002" "73000000")


def test_listing_shows_source_lines(tmp_path: Path, capsys) -> None:
    source = tmp_path / "prog.s"
    source.write_text("_start: li a0, 42  # answer\n")
    assert main(["asm", str(source), "--listing"]) == 0
    out = capsys.readouterr().out
    assert "li a0,42" in out and "# answer" in out and "<_start>" in out
    assert (tmp_path / "prog.elf").exists()


def test_errors_go_to_stderr_with_status_1(tmp_path: Path, capsys) -> None:
    source = tmp_path / "bad.s"
    source.write_text("  addi a0, a0, 9999\n  jmp end\n")
    assert main(["asm", str(source)]) == 1
    err = capsys.readouterr().err
    assert f"{source}:1:16: error:" in err and f"{source}:2:3: error:" in err
    assert "2 errors" in err and "Traceback" not in err
    assert not (tmp_path / "bad.elf").exists()


def test_missing_file_is_an_error_not_a_traceback(tmp_path: Path, capsys) -> None:
    assert main(["asm", str(tmp_path / "missing.s")]) == 1
    assert "cannot read" in capsys.readouterr().err
