"""Chapter 10's experiments: each model reads the cached suite, each plot has a title
that names what it shows, and the widgets wire them up."""

from vlab.lab.experiment import Experiment, figure_summary, toggle
from vlab.lab.merits import chapter, discussion
from vlab.lab.merits.scores import LEVELS, differences, scores


def test_overhead_experiment_shows_every_variant_that_ran():
    exp = Experiment(chapter.overhead_view, chapter.plot_overheads,
                     {"workload": toggle("Workload", ["compute", "syscall"])},
                     describe=chapter.describe_overheads)
    assert "compute" in figure_summary(exp.figure)
    names = [name for name, _ in exp.data.bars]
    assert "isa/interp" in names and "lib/accel-vm" not in names
    exp.controls["workload"].value = "syscall"
    assert exp.data.workload == "syscall"
    assert "the slowest is hw/type2" in exp.text     # each exit through the host kernel


def test_flexibility_and_attack_views_name_their_row():
    view = chapter.flexibility_view("application")
    assert view["row"]["bytecode"] == "runs"
    assert "application" in figure_summary(chapter.plot_flexibility(view))
    attack = chapter.attack_view("CPU hog")
    assert attack["row"]["os"].startswith("escaped")
    assert "attack battery" in figure_summary(chapter.plot_attacks(attack))


def test_ranking_follows_the_weights():
    perf_only = chapter.ranking_view(3, 0, 0, 0)
    table = scores(chapter.measurements())
    best = max(LEVELS, key=lambda level: table[level]["performance"] or 0)
    assert table[perf_only["ranking"][0][0]]["performance"] == table[best]["performance"]
    assert "weights" in figure_summary(chapter.plot_ranking(perf_only))
    for scenario in chapter.SCENARIOS:
        assert len(chapter.scenario_ranking(scenario)) == len(LEVELS)


def test_every_current_difference_is_explained():
    ours = scores(chapter.measurements())
    for level, criterion, _, _ in differences(ours):
        assert "no explanation" not in discussion.explain(level, criterion), (level, criterion)
