"""CostModel: the cited table, overrides, registration, clear errors."""

import pytest

from vlab.host import DEFAULT_COSTS, CostModel

REQUIRED = ("instruction mem_read mem_write tlb_hit tlb_miss page_walk_ref trap interrupt "
            "privilege_switch device_access dma_byte syscall context_switch vm_exit "
            "hypercall world_switch shadow_pt_update block_translate").split()


def test_every_required_event_has_a_price_category_and_source():
    model = CostModel.default()
    for event in REQUIRED:
        row = model[event]
        assert row.cycles >= 0
        assert row.category
        assert len(row.source) > 20, f"{event} needs a real source"


def test_relative_magnitudes_follow_the_sources():
    m = CostModel.default()
    assert m.cycles_of("mem_read") < m.cycles_of("dram_access")
    assert m.cycles_of("tlb_hit") < m.cycles_of("tlb_miss")
    assert m.cycles_of("syscall") < m.cycles_of("vm_exit") < m.cycles_of("context_switch")
    assert 1500 <= m.cycles_of("vm_exit") <= 2000


def test_overrides_return_a_new_model():
    base = CostModel.default()
    fast = base.with_overrides(vm_exit=500, trap=20)
    assert fast.cycles_of("vm_exit") == 500
    assert fast["vm_exit"].source == "override"
    assert base.cycles_of("vm_exit") == 1500
    assert fast.with_overrides(trap=30).cycles_of("vm_exit") == 500
    assert fast != base and fast == CostModel({"vm_exit": 500, "trap": 20})


def test_unknown_event_is_a_key_error_listing_valid_names():
    with pytest.raises(KeyError) as info:
        CostModel.default().with_overrides(vmexit=1)
    assert "vmexit" in str(info.value) and "vm_exit" in str(info.value)
    with pytest.raises(KeyError, match="known events"):
        CostModel.default().cycles_of("nope")


@pytest.mark.parametrize("bad", [-1, "10", None, True])
def test_prices_must_be_non_negative_numbers(bad):
    with pytest.raises(ValueError, match="non-negative"):
        CostModel.default().with_overrides(trap=bad)


def test_register_adds_an_event_for_later_levels(monkeypatch):
    monkeypatch.setattr(CostModel, "_registry", dict(CostModel._registry))  # leave no trace
    row = CostModel.register("test_gc_cycle", 7, "test-level", "illustrative, for a test")
    assert CostModel.default().cycles_of("test_gc_cycle") == 7
    assert "test-level" in CostModel.default().categories()
    assert CostModel.register("test_gc_cycle", 7, "test-level", "illustrative, for a test") == row
    with pytest.raises(ValueError, match="already registered"):
        CostModel.register("test_gc_cycle", 8, "test-level", "another price")
    with pytest.raises(ValueError, match="already registered"):
        CostModel.register("vm_exit", 1, "virtualization", "mine")


def test_table_lists_every_default_row():
    text = CostModel.default().table()
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["event", "cycles", "category"]
    for row in DEFAULT_COSTS:
        assert any(line.startswith(row.event + " ") and row.source in line for line in lines)


def test_every_level_s_events_are_in_the_table_without_importing_the_level():
    import subprocess
    import sys

    code = ("import sys; from vlab.host.costs import CostModel; c = CostModel.default(); "
            "print(all(e in c for e in ('stream_round_trip', 'hll_interpret', 'gc_mark', "
            "'vm_exit', 'mem_read', 'mem_write'))); "
            "print(any(m.startswith('vlab.application') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True", "False"]


def test_stream_prices_are_the_lan_at_the_host_clock():
    from vlab.application.sandbox.costs import cycle_prices
    from vlab.application.sandbox.network import LAN

    costs = CostModel.default()
    assert cycle_prices(LAN) == {e: costs.cycles_of(e) for e in ("stream_round_trip",
                                                                 "stream_byte")}


def test_with_overrides_reprices_the_gc_pauses_a_chapter_prints():
    from vlab.application.hll.vm import VM
    from vlab.host.ledger import Ledger

    source = "xs = []\nfor i in range(3000):\n    xs = [i, i, i]\nprint(len(xs))\n"

    def pauses(costs):
        vm = VM.from_source(source, heap_limit=8 * 1024, ledger=Ledger(costs))
        assert vm.run().status == "ok"
        return [c.pause_cycles for c in vm.collector.stats.timeline]

    default = pauses(CostModel.default())
    doubled = pauses(CostModel.default().with_overrides(gc_collection=2000))
    assert default and len(doubled) == len(default)
    assert [d - p for d, p in zip(doubled, default, strict=True)] == [1000] * len(default)
