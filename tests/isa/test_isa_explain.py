"""The interpreter's and the translator's explain hooks answer without private names."""

import sys

import vlab.isa.dbt.codegen
from vlab.isa import explain, machine
from vlab.isa.dbt.memos import forget_memos


def test_machine_loop_file_is_the_file_of_machine_run_frames():
    seen = set()

    def hook(frame, event, arg):
        if frame.f_code.co_name == "run" and "Machine" in frame.f_code.co_qualname:
            seen.add(frame.f_code.co_filename)

    sys.setprofile(hook)
    try:
        machine.Machine(ram_size=4096).run(max_instructions=1)
    finally:
        sys.setprofile(None)
    assert seen == {explain.machine_loop_file()}


def test_every_part_is_one_of_the_parts():
    names = ["Interpreter.run", "factory.<locals>._h_addi", "find_spec", "Machine.step",
             "Machine.decode", "anything"]
    assert [explain.interpreter_part(n) for n in names] == [
        "dispatch loop", "semantics", "fetch + decode", "machine", "machine", "machine"]
    assert set(map(explain.interpreter_part, names)) <= set(explain.PARTS)


def test_forget_memos_empties_the_translator_caches():
    memoized = [v for v in vars(vlab.isa.dbt.codegen).values()
                if callable(getattr(v, "cache_info", None))]
    assert forget_memos() >= 1
    assert all(f.cache_info().currsize == 0 for f in memoized)
