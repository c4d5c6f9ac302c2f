"""Chapter 3: counted host work, the break-even model, little reuse."""

from vlab.lab.interpretation.programs import sum_source
from vlab.lab.translation import break_even


def test_counts_are_deterministic_whatever_ran_before():
    source = sum_source(range(1, 31))
    first = break_even.run_work(source, "dbt")
    break_even.run_work(sum_source(range(1, 7)), "dbt")       # warms other translations
    assert break_even.run_work(source, "dbt") == first
    assert first.stats["blocks_translated"] == 1


def test_both_engines_retire_the_same_instructions():
    source = sum_source(range(1, 21))
    assert break_even.run_work(source, "interp").instructions == \
        break_even.run_work(source, "dbt").instructions == 5 * 20 + 7


def test_translation_pays_only_on_long_loops():
    points = break_even.trip_sweep(8, (2, 20, 2000))
    assert points[0].dbt.stats["blocks_translated"] == 0        # never hot: no translation
    assert 0.9 < points[0].speedup < 1.1
    assert points[1].speedup < 0.5                               # paid, not earned back
    assert points[2].speedup > 1.2
    assert break_even.break_even(points) == 2000


def test_break_even_is_the_first_trip_count_after_which_it_always_pays():
    class P:
        def __init__(self, trips, speedup):
            self.trips, self.speedup = trips, speedup
    assert break_even.break_even([P(1, 1.01), P(10, 0.2), P(100, 1.5), P(1000, 2)]) == 100
    assert break_even.break_even([P(1, 0.9), P(10, 0.8)]) is None


def test_break_even_model_matches_the_formula_and_the_fx32_shape():
    model = break_even.break_even_model()
    assert model.interp > 2 * model.translated                   # FX!32: 45 vs 4.4
    assert 10_000 < model.cost < 200_000
    assert model.trips == model.cost / (5 * (model.interp - model.translated))
    text = repr(break_even.break_even_table(model))
    assert "45.0 / 4.4" in text and f"{model.trips:.0f}" in text


def test_eager_translation_of_code_run_few_times_costs_more_than_interpreting():
    runs = {(name.split(",")[0], label): work for name, label, work in break_even.reuse_runs()}
    straight = [w for (name, _), w in runs.items() if name.startswith("straight")]
    assert all(w.stats.get("blocks_translated", 0) == 0 for w in straight)
    long_body = {label: w for (name, label), w in runs.items() if name.startswith("60")}
    assert long_body["translate at once (1)"].bytecodes > \
        5 * long_body["interpreter"].bytecodes
    hot = {label: w for (name, label), w in runs.items() if name.startswith("sum")}
    assert hot["translate when hot (8)"].bytecodes < hot["interpreter"].bytecodes


def test_plot_and_description_of_the_sweep():
    points = break_even.trip_sweep(8, (2, 20, 2000))
    fig = break_even.plot_trip_sweep(points)
    assert [ax.get_title() for ax in fig.axes] == ["Host work per guest instruction",
                                                  "Speedup of translation (counted)"]
    assert "pays from about 2000 trips" in break_even.describe_trip_sweep(points)


def test_engine_bytecodes_leave_out_the_machine_s_run_loop():
    from vlab.lab.measure import count_bytecodes

    source = sum_source(range(1, 11))
    first, second = (break_even._prepared(source, "interp") for _ in range(2))
    result, engine_only = break_even.engine_bytecodes(first, 10_000)
    _, everything = count_bytecodes(second.run, max_instructions=10_000)
    machine_part = sum(n for name, n in everything.by_function.items()
                       if name.startswith(("Machine.", "TrapContext.", "Halt.")))
    assert result.instructions == 57 and machine_part > 0
    assert engine_only == everything.total - machine_part
