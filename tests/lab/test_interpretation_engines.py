"""The decode-and-dispatch engine retires exactly what the predecoded interpreter retires."""

import io

import pytest

from vlab.isa.asm import assemble
from vlab.isa.decode_dispatch import DecodeAndDispatch
from vlab.isa.interpreter import Interpreter
from vlab.lab.interpretation.cost import USER_TEXT_BASE
from vlab.lab.interpretation.programs import finished, load, sum_source, write_loop_source
from vlab.os.boot import boot

ENGINES = (Interpreter, DecodeAndDispatch)


def run_sum(engine, values):
    machine, program = load(sum_source(values), engine=engine)
    result = machine.run(max_instructions=10_000)
    total = program.symbols["total"]
    return machine, result, int.from_bytes(machine.read_virtual(total, 4), "little")


@pytest.mark.parametrize("values", [[7], [3, 1, 4, 1, 5], list(range(-20, 40))])
def test_both_engines_compute_the_same_sum_with_the_same_state(values):
    states = []
    for engine in ENGINES:
        machine, result, total = run_sum(engine, values)
        assert finished(result)
        assert total == sum(values) & 0xFFFFFFFF
        states.append((list(machine.regs), machine.pc, machine.hart.instret,
                       dict(machine.ledger.counts)))
    assert states[0] == states[1]


def test_decode_and_dispatch_decodes_every_executed_instruction_predecoding_each_address():
    values = list(range(30))
    (pre, pre_result, _), (dd, dd_result, _) = (run_sum(e, values) for e in ENGINES)
    static_code = len(assemble(sum_source(values)).text) // 4
    assert pre.engine.decoded == static_code
    # every retired instruction, plus the final ebreak (decoded, trapped, not retired)
    assert dd.engine.decoded == dd_result.instructions + 1
    assert pre_result.instructions == dd_result.instructions


@pytest.mark.parametrize("paging", [False, True])
def test_both_engines_run_a_user_program_with_system_calls_alike(paging):
    program = assemble(write_loop_source(4), text_base=USER_TEXT_BASE)
    seen = []
    for engine in ENGINES:
        out = io.BytesIO()
        booted = boot(program.to_image(), mode="user", paging=paging, stdout=out,
                      ram_size=16 << 20)
        booted.machine.engine = engine(booted.machine.hart, booted.machine.mmu,
                                       booted.machine.ledger,
                                       on_retire=booted.machine._advance_time)
        result = booted.machine.run(max_instructions=10_000)
        assert result.status == "exit" and result.exit_code == 0
        assert out.getvalue() == b"hi\n" * 4
        seen.append((result.instructions, dict(booted.machine.ledger.counts)))
    assert seen[0] == seen[1]


@pytest.mark.parametrize("bad, cause, tval", [
    (".word 0xffffffff", 2, 0xFFFFFFFF),
    ("li t0, 0x10\n lw a0, 0(t0)", 5, 0x10),
])
def test_a_fault_is_the_same_trap_on_both_engines(bad, cause, tval):
    for engine in ENGINES:
        machine, _ = load(f"_start:\n nop\n {bad}\n", engine=engine, with_monitor=False)
        result = machine.run(max_instructions=100)
        assert result.status == "fault"
        assert (result.cause, result.tval) == (cause, tval)
