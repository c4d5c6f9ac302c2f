"""`vlab merits` prints the lecture's table beside the measured one."""

from vlab.cli import main
from vlab.lab.merits import report, scores
from vlab.lab.merits.cells import Absent


def test_merits_scores_section(capsys, monkeypatch):
    def fake(quick=True):
        assert quick
        return scores.Measurements({}, {lv: {} for lv in scores.LEVELS}, {}, {})
    monkeypatch.setattr(scores, "measure_all", fake)
    monkeypatch.setattr(report, "scores_text", lambda m: "book/ours table")
    assert main(["merits", "--quick", "--only", "scores"]) == 0
    assert "book/ours table" in capsys.readouterr().out


def test_reasons_list_each_absent_cell_once():
    m = scores.Measurements({"hw/type2": {"compute": Absent("not built: x"),
                                          "syscall": Absent("not built: x")}}, {}, {}, {})
    text = report.reasons_text(m)
    assert text.count("not built: x") == 1 and "hw/type2/syscall" in text


def test_wall_clock_ratios_are_shown_only_on_request():
    from vlab.lab.merits.performance import Overhead
    m = scores.Measurements({"os/container": {w: Overhead(1.0, 2.5, 1, 1)
                                              for w in report.WORKLOADS}}, {}, {}, {})
    assert "(2.5x)" in report.overhead_text(m, wall=True)
    assert "(2.5x)" not in report.overhead_text(m)
