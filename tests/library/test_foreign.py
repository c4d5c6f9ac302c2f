"""The WINE-style foreign API: PE32 RISC-V programs on the host kernel via KERNEL32."""

import pefile
import pytest

from vlab.library.foreign import kernel32
from vlab.library.foreign.pe_loader import ForeignLoadError, load_pe
from vlab.library.foreign.run import UnimplementedApi, run_foreign

EXPECTED = ["Hello from a PE program", "written by WriteFile",
            "missing.txt: ERROR_FILE_NOT_FOUND", "ticks: under a second since boot"]


def test_the_program_is_a_real_pe_for_riscv32_with_an_import_table(hello_exe):
    pe = pefile.PE(str(hello_exe))
    assert pefile.MACHINE_TYPE[pe.FILE_HEADER.Machine] == "IMAGE_FILE_MACHINE_RISCV32"
    [dll] = pe.DIRECTORY_ENTRY_IMPORT
    assert dll.dll == b"KERNEL32.dll"
    names = {i.name.decode() for i in dll.imports}
    assert {"CreateFileA", "ReadFile", "WriteFile", "HeapAlloc", "ExitProcess"} <= names
    assert names <= set(kernel32.API)


def test_a_win32_program_runs_on_posix_calls(hello_exe, tmp_path):
    run = run_foreign(hello_exe, root=tmp_path)
    assert run.exit_code == 0, run.message
    assert run.stdout.decode().splitlines() == EXPECTED
    assert (tmp_path / "note.txt").read_text() == "written by WriteFile\n"
    by_call = {t.call.split("(")[0]: t for t in reversed(run.log)}      # first call wins
    assert by_call["CreateFileA"].posix == ['openat(-100, "note.txt", 577, 420) = 3']
    assert by_call["ExitProcess"].posix == ["exit_group(0)"]
    assert by_call["GetLastError"].posix == []               # Win32 state, no POSIX call
    assert run.ledger.count("lib_hook_call") == len(run.log)
    assert "Win32 call (program)" in run.side_by_side()


def test_an_unimplemented_function_is_named(hello_exe, tmp_path):
    partial = {k: v for k, v in kernel32.API.items() if k != "lstrlenA"}
    with pytest.raises(UnimplementedApi, match=r"KERNEL32\.dll!lstrlenA"):
        run_foreign(hello_exe, root=tmp_path, library=partial)


def test_files_that_are_not_riscv32_pe_programs_are_refused(tmp_path, hello_exe):
    (tmp_path / "text.exe").write_bytes(b"MZ not really")
    with pytest.raises(ForeignLoadError, match="not a PE file"):
        load_pe(tmp_path / "text.exe")
    data = bytearray(hello_exe.read_bytes())
    data[0x44:0x46] = (0x14C).to_bytes(2, "little")           # IMAGE_FILE_MACHINE_I386
    (tmp_path / "x86.exe").write_bytes(bytes(data))
    with pytest.raises(ForeignLoadError, match="I386, not IMAGE_FILE_MACHINE_RISCV32"):
        load_pe(tmp_path / "x86.exe")
