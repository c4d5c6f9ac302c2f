"""Chapter 2 cost models: host work per guest instruction, dispatch comparison, ledger."""

import pytest

from vlab.isa.explain import interpreter_part as part_of
from vlab.lab.interpretation import cost
from vlab.lab.interpretation.cost import (
    FX32,
    PARTS,
    compare_dispatch,
    describe_dispatch,
    describe_host_work,
    describe_ledger,
    host_work,
    host_work_table,
    ledger_run,
    ledger_table,
    plot_dispatch,
    plot_host_work,
    plot_ledger,
)


def fresh_host_work(engine, iterations):
    return cost.host_work.__wrapped__(engine, iterations)   # bypass the cache


def test_counts_are_deterministic_run_after_run():
    assert fresh_host_work("predecoded", 5) == fresh_host_work("predecoded", 5)
    assert fresh_host_work("decode-and-dispatch", 5) == fresh_host_work(
        "decode-and-dispatch", 5)


def test_the_parts_add_up_to_the_total():
    for engine in cost.ENGINES:
        work = host_work(engine, 20)
        assert list(work.by_part) == list(PARTS)
        assert sum(work.by_part.values()) == work.bytecodes
        assert work.guest_instructions == 5 * 20 + 7


def test_predecoding_decodes_each_address_once_dispatch_decodes_every_instruction():
    for n in (2, 20):
        pre, dd = host_work("predecoded", n), host_work("decode-and-dispatch", n)
        assert pre.decodes == 13                      # the program's 13 instructions
        assert dd.decodes == dd.guest_instructions + 1    # + the final ebreak


def test_interpretation_costs_tens_and_decoding_every_time_hundreds():
    pre, dd = host_work("predecoded", 100), host_work("decode-and-dispatch", 100)
    assert 10 < pre.per_guest < 100            # "tens of host instructions"
    assert 100 < dd.per_guest < 1000           # "hundreds"
    assert dd.by_part["fetch + decode"] > 10 * pre.by_part["fetch + decode"]
    assert dd.by_part["semantics"] == pytest.approx(pre.by_part["semantics"], rel=0.01)


def test_predecoding_amortizes_its_decodes_over_a_longer_loop():
    costs = [host_work("predecoded", n).per_guest for n in (1, 10, 100)]
    assert costs[0] > costs[1] > costs[2]


def test_part_of_maps_qualified_names():
    assert part_of("Interpreter.run") == "dispatch loop"
    assert part_of("DecodeAndDispatch.run") == "dispatch loop"
    assert part_of("factory.<locals>._h_add") == "semantics"
    assert part_of("make_port.<locals>._load_4u") == "semantics"
    assert part_of("find_spec") == "fetch + decode"
    assert part_of("DecodeAndDispatch.fetch_and_decode") == "fetch + decode"
    assert part_of("Machine.run") == "machine"


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="unknown engine"):
        host_work("jit", 3)
    with pytest.raises(ValueError, match="at least 1"):
        host_work("predecoded", 0)
    with pytest.raises(ValueError, match="one of"):
        compare_dispatch(3, sweep=(1, 2))


def test_host_work_figure_table_and_text():
    works = [host_work(engine, 10) for engine in cost.ENGINES]
    fig = plot_host_work(works)
    assert [ax.get_title() for ax in fig.axes] == ["(a) Where the host work goes",
                                                   "(b) Compared with FX!32"]
    assert FX32 == {"FX!32 interpreter": 45.0, "FX!32 translated code": 4.4}
    text = describe_host_work(works)
    assert f"{works[0].per_guest:.1f}" in text and "times the host work" in text
    table = repr(host_work_table(works))
    assert "decode-and-dispatch" in table and f"{works[1].per_guest:.1f}" in table


def test_dispatch_comparison_singles_out_the_chosen_length():
    comparison = compare_dispatch(2, sweep=(1, 2, 5))
    assert comparison.at("predecoded") == host_work("predecoded", 2)
    assert [w.iterations for w in comparison.works["decode-and-dispatch"]] == [1, 2, 5]
    fig = plot_dispatch(comparison)
    assert fig.axes[0].get_title() == "(a) Decodes per run"
    assert "Summing 2 words" in describe_dispatch(comparison)


@pytest.mark.parametrize("writes", [0, 1, 5])
def test_the_ledger_counts_one_trap_and_one_syscall_per_ecall(writes):
    run = ledger_run(writes, paging=False)
    assert run.output == b"hi\n" * writes
    assert run.counts["trap"] == writes + 1             # the writes and the exit
    assert run.counts["syscall"] == writes + 1
    assert run.memory_reads == writes + 1               # one lw per pass of the loop
    assert run.memory_writes == writes                  # one sw per write
    assert "tlb_miss" not in run.counts
    assert run.total_cycles == sum(run.counts[e] * run.prices[e] for e in run.counts)


def test_paging_adds_tlb_and_page_walk_events_not_instructions():
    off, on = ledger_run(3, paging=False), ledger_run(3, paging=True)
    assert on.instructions == off.instructions
    assert on.counts["tlb_miss"] >= 1 and on.counts["page_walk_ref"] >= 2
    assert on.total_cycles > off.total_cycles


def test_ledger_table_figure_and_text():
    run = ledger_run(2, paging=True)
    table = repr(ledger_table(run))
    assert "syscall" in table and "3 loads, 2 stores" in table
    fig = plot_ledger(run)
    assert fig.get_suptitle() == "Ledger: 2 write calls, paging on"
    assert "3 system calls" in describe_ledger(run)
