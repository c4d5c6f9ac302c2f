"""The dynamic loader: shared objects, relocations, lazy binding, LD_PRELOAD."""

import shutil

import pytest

from vlab.library.dynload.dynobject import DynLoadError, read_object
from vlab.library.dynload.loader import link
from vlab.library.dynload.run import run_dynamic

PLAIN = ("hello from a dynamically linked program\nthe clock says: this century\n"
         "1293840000\nlibrary calls counted by libvc:\n5\n")


def test_the_toolchain_makes_real_dynamic_objects(dyn_examples):
    program = read_object(dyn_examples["hello_dyn"])
    assert program.interp == "/lib/ld-vlab.so.1" and program.needed == ["libvc.so"]
    library = read_object(dyn_examples["libvc.so"])
    assert library.kind == "ET_DYN"
    assert {"vc_puts", "vc_time", "vc_exit", "vc_calls"} <= set(library.symbols)
    assert {r.type for r in library.relocs} >= {1, 3}         # R_RISCV_32, RELATIVE
    assert {r.type for r in program.relocs} == {1, 5}         # R_RISCV_32, JUMP_SLOT


@pytest.mark.parametrize("lazy", [True, False])
def test_the_program_runs_with_its_library(dyn_examples, lazy):
    run = run_dynamic(dyn_examples["hello_dyn"], [dyn_examples["lib"]], lazy=lazy)
    assert run.exit_code == 0, run.message
    assert run.stdout.decode() == PLAIN        # vc_calls read through the GOT: 5 calls
    assert run.linked.relocations == {"R_RISCV_32": 2, "R_RISCV_JUMP_SLOT": 3,
                                      "R_RISCV_RELATIVE": 1}


def test_lazy_binding_resolves_each_slot_once_on_first_call(dyn_examples):
    run = run_dynamic(dyn_examples["hello_dyn"], [dyn_examples["lib"]], lazy=True)
    # vc_puts is called five times but bound once; the order is the order of first calls
    assert run.bindings == [("hello_dyn", "vc_puts", "libvc.so"),
                            ("hello_dyn", "vc_time", "libvc.so"),
                            ("hello_dyn", "vc_exit", "libvc.so")]
    assert run.ledger.count("dl_lookup") == 3
    eager = run_dynamic(dyn_examples["hello_dyn"], [dyn_examples["lib"]], lazy=False)
    assert eager.bindings == [] and eager.ledger.count("dl_lookup") == 0


def test_ld_preload_interposes_on_one_function(dyn_examples):
    run = run_dynamic(dyn_examples["hello_dyn"], [dyn_examples["lib"]],
                      preload=["libfakeclock.so"])
    assert run.stdout.decode().splitlines()[1:3] == ["the clock says: long ago", "86400"]
    assert ("hello_dyn", "vc_time", "libfakeclock.so") in run.bindings
    assert ("hello_dyn", "vc_puts", "libvc.so") in run.bindings


def test_missing_library_and_symbol_are_named(dyn_examples, tmp_path):
    with pytest.raises(DynLoadError, match=r"libvc\.so \(needed by hello_dyn\) not found"):
        link(dyn_examples["hello_dyn"], [tmp_path])
    shutil.copy(dyn_examples["libfakeclock.so"], tmp_path / "libvc.so")   # wrong library
    with pytest.raises(DynLoadError, match="undefined symbol 'vc_calls'"):
        link(dyn_examples["hello_dyn"], [tmp_path])
    (tmp_path / "junk.so").write_bytes(b"\x7fELF junk")
    with pytest.raises(DynLoadError, match="junk.so is not an ELF file"):
        link(dyn_examples["hello_dyn"], [tmp_path], preload=["junk.so"])


def test_tracing_through_the_plt_sees_every_call(dyn_examples):
    run = run_dynamic(dyn_examples["hello_dyn"], [dyn_examples["lib"]], trace=True)
    assert run.stdout.decode() == PLAIN
    assert [symbol for _, symbol, _ in run.calls] == ["vc_puts", "vc_time", "vc_puts",
                                                      "vc_puts", "vc_puts", "vc_puts",
                                                      "vc_exit"]
    assert run.ledger.count("lib_trace_stop") == 7


def test_a_corrupt_dynamic_section_is_a_clear_error(dyn_examples, tmp_path):
    import struct

    from elftools.elf.elffile import ELFFile

    data = bytearray(dyn_examples["libvc.so"].read_bytes())
    with open(dyn_examples["libvc.so"], "rb") as f:
        rela = ELFFile(f).get_section_by_name(".rela.dyn")["sh_offset"]
    offset, info, addend = struct.unpack_from("<IIi", data, rela)
    struct.pack_into("<IIi", data, rela, offset, (9999 << 8) | (info & 0xFF), addend)
    (tmp_path / "libvc.so").write_bytes(bytes(data))
    with pytest.raises(DynLoadError, match=r"libvc\.so: bad dynamic section: .*symbol 9999"):
        link(dyn_examples["hello_dyn"], [tmp_path])
