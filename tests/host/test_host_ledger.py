"""Ledger: counting, pricing, categories, snapshots, table, plot."""

import pytest

from vlab.host import CostModel, Ledger, LedgerSnapshot


@pytest.fixture
def ledger():
    return Ledger(CostModel.default().with_overrides(instruction=1, mem_read=3, vm_exit=1500))


def test_counts_and_cycles(ledger):
    ledger.charge("instruction", 1000)
    ledger.charge("instruction", 24)
    ledger.charge("mem_read", 10)
    ledger.charge("vm_exit")
    assert ledger.counts == {"instruction": 1024, "mem_read": 10, "vm_exit": 1}
    assert ledger.cycles == {"instruction": 1024, "mem_read": 30, "vm_exit": 1500}
    assert ledger.total_cycles == 1024 + 30 + 1500
    assert ledger.count("mem_read") == 10 and ledger.count("trap") == 0


def test_by_category(ledger):
    ledger.charge("instruction", 5)
    ledger.charge("mem_read", 2)
    ledger.charge("mem_write", 1)
    ledger.charge("vm_exit", 2)
    assert ledger.by_category() == {"compute": 5, "memory": 9, "virtualization": 3000}


def test_unknown_event_is_a_clear_key_error(ledger):
    with pytest.raises(KeyError, match="unknown cost event 'vmexit'.*vm_exit"):
        ledger.charge("vmexit")
    with pytest.raises(KeyError):
        ledger.count("vmexit")
    assert ledger.counts == {}


def test_bad_count(ledger):
    with pytest.raises(ValueError, match="non-negative"):
        ledger.charge("trap", -3)


def test_snapshot_is_frozen_and_difference_measures_a_phase(ledger):
    ledger.charge("instruction", 100)
    before = ledger.snapshot()
    ledger.charge("instruction", 50)
    ledger.charge("trap", 2)
    after = ledger.snapshot()
    ledger.charge("instruction", 1000)          # later work does not leak in
    phase = after - before
    assert isinstance(phase, LedgerSnapshot)
    assert phase.counts == {"instruction": 50, "trap": 2}
    assert phase.total_cycles == 50 + 2 * 100
    assert before.counts == {"instruction": 100}
    with pytest.raises(TypeError):
        before.counts["instruction"] = 0


def test_difference_needs_one_price_list(ledger):
    other = Ledger().snapshot()
    with pytest.raises(ValueError, match="different cost models"):
        ledger.snapshot() - other


def test_repricing_the_same_counts(ledger):
    ledger.charge("vm_exit", 10)
    newer = ledger.repriced(CostModel.default().with_overrides(vm_exit=500))
    assert newer.total_cycles == 5000
    assert ledger.total_cycles == 15000


def test_reset(ledger):
    ledger.charge("trap")
    ledger.reset()
    assert ledger.counts == {} and ledger.total_cycles == 0


def test_table_is_aligned_text(ledger):
    ledger.charge("instruction", 1_000_000)
    ledger.charge("vm_exit", 3)
    lines = ledger.table().splitlines()
    assert lines[0].split() == ["event", "category", "count", "cycles/ev", "cycles", "share"]
    assert lines[2].split() == ["instruction", "compute", "1,000,000", "1", "1,000,000", "99.6%"]
    assert lines[3].split() == ["vm_exit", "virtualization", "3", "1,500", "4,500", "0.4%"]
    assert lines[-1].split() == ["total", "1,004,500", "100.0%"]
    widths = {len(line) for line in lines if line.startswith("-")}
    assert len(widths) == 1                       # both rules are the same width
    ends = {len(line) for line in lines[2:4]}
    assert len(ends) == 1                         # right-aligned numbers end together


def test_empty_table(ledger):
    assert ledger.table().splitlines()[-1].split() == ["total", "0", "-"]


def test_plot_draws_one_bar_per_category(ledger):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ledger.charge("instruction", 10)
    ledger.charge("vm_exit", 1)
    ax = ledger.plot()
    widths = sorted(bar.get_width() for bar in ax.patches)
    assert widths == [10, 1500]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["virtualization", "compute"]
    plt.close(ax.figure)


def test_same_charges_give_same_ledger():
    def run():
        ledger = Ledger()
        for i in range(100):
            ledger.charge("instruction", i)
            if i % 7 == 0:
                ledger.charge("trap")
        return ledger.snapshot()

    assert run() == run()
