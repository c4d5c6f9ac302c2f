"""The attack battery: contained where a mechanism stops it, escaped where none does."""

from vlab.lab.merits import isolation
from vlab.lab.merits.cells import Absent
from vlab.lab.merits.isolation import ATTACKS, LEVELS, Outcome, score


def test_pids_max_contains_a_fork_bomb_that_the_bare_kernel_does_not():
    assert isolation.fork_container().contained
    assert not isolation.fork_isa().contained


def test_container_cannot_read_a_neighbours_file_or_kill_it():
    assert isolation.read_container().contained
    assert isolation.signal_container().contained


def test_memory_limits_stop_hogs_at_three_levels():
    assert isolation.memory_container().contained
    assert isolation.memory_application().contained
    assert isolation.memory_hardware().contained


def test_a_cpu_hog_slows_its_neighbour_without_cpu_max():
    cell = isolation.cpu_container()
    assert not cell.contained and "time alone" in cell.seen


def test_vmm_survives_a_trap_storm_and_the_iommu_stops_dma():
    assert isolation.fault_hardware().contained
    dma = isolation.dma_hardware()
    assert dma.contained and "IOMMU" in dma.seen


def test_every_cell_is_tried_or_says_why_not():
    for attack in ATTACKS:
        for level in LEVELS:
            entry = isolation.BATTERY[attack][level]
            if entry.__name__ == "run":                # a not_tried reason
                assert entry().reason.startswith("not tried: ")


def test_score_rule_counts_only_tried_attacks():
    table = {a: {lv: Absent("not tried: x") for lv in LEVELS} for a in ATTACKS}
    assert score("os", table) is None
    table["fork bomb"]["os"] = Outcome(True, "")
    assert score("os", table) == 2                     # one attack: at most 1 + 1
    table["CPU hog"]["os"] = Outcome(False, "")
    assert score("os", table) == 3
    for attack in ATTACKS[:4]:
        table[attack]["os"] = Outcome(True, "")
    assert score("os", table) == 4                     # 4 of 5 contained
