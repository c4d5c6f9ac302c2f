"""The merits suite's performance measurements: workloads run, overheads follow the
mechanisms (Adams & Agesen 2006: binary translation beats trap-and-emulate on guest
system calls; Felter et al. 2014: a container's system call costs what a native one
does), and a level that cannot run a workload gives a reason, never a number."""

import pytest

from vlab.lab.merits import performance, runners
from vlab.lab.merits.cells import Absent, Unavailable, attempt
from vlab.lab.merits.performance import Overhead, level_overhead, measure
from vlab.lab.merits.workloads import BARE_WORKLOADS, WORKLOADS, source

N = 4


@pytest.mark.parametrize("workload", WORKLOADS)
def test_every_workload_runs_natively_and_costs_more_when_longer(workload):
    assert runners.native(workload, 2 * N) > runners.native(workload, N) > 0


@pytest.mark.parametrize("workload", BARE_WORKLOADS)
def test_bare_guests_exit_cleanly(workload):
    assert runners.bare_native(workload, N) > 0


def test_bad_workload_names_say_what_exists():
    with pytest.raises(ValueError, match="choose from compute"):
        source("gpu", 3)
    with pytest.raises(ValueError, match="at least one"):
        source("compute", 0)


def test_container_system_call_costs_what_a_native_one_does():
    cell = measure("os/container", "syscall", N)
    assert isinstance(cell, Overhead)
    assert 0.95 <= cell.modeled <= 1.05


def test_interpreter_is_slower_than_the_translator_on_compute():
    interp, dbt = measure("isa/interp", "compute", N), measure("isa/dbt", "compute", N)
    assert interp.modeled > dbt.modeled > 1.0


def test_binary_translation_beats_trap_and_emulate_on_guest_system_calls():
    te, bt = measure("hw/trap-emulate", "syscall", N), measure("hw/bt", "syscall", N)
    assert te.modeled > bt.modeled > 1.0


def test_absent_levels_say_why():
    assert "guest kernel" in measure("hw/paravirt", "process", N).reason
    assert "guest kernel" in measure("hw/trap-emulate", "process", N).reason
    assert "accelerator" in measure("lib/accel-vm", "compute", N).reason


def test_a_failing_level_becomes_a_cell_with_its_error():
    def broken():
        raise KeyError("moving API")
    cell = attempt(broken)
    assert isinstance(cell, Absent) and "KeyError" in cell.reason
    assert attempt(lambda: (_ for _ in ()).throw(Unavailable("no"))).reason == "no"


def test_level_overhead_takes_the_best_variant_per_workload(monkeypatch):
    table = {"isa/interp": {"compute": Overhead(20.0, 1, 1, 1), "syscall": Absent("x")},
             "isa/dbt": {"compute": Overhead(5.0, 1, 1, 1), "syscall": Overhead(1.25, 1, 1, 1)}}
    assert level_overhead(table, "isa") == pytest.approx((5.0 * 1.25) ** 0.5)
    assert level_overhead(table, "os") is None


def test_quick_table_has_every_variant_and_workload(monkeypatch):
    monkeypatch.setattr(performance, "VARIANTS",
                        {"x/none": ("isa", runners.not_built("x"), runners.native)})
    table = performance.overhead_table.__wrapped__(True)
    assert set(table["x/none"]) == set(WORKLOADS)
    assert all("not built: x" in c.reason for c in table["x/none"].values())


def test_paravirtual_console_beats_emulated_uart_exits():
    """Barham et al. 2003: a hypercall per console write instead of an MMIO exit per
    register access of the guest's UART driver."""
    hw = measure("hw/hw+kernel", "device", N).modeled
    pv = measure("hw/paravirt", "device", N).modeled
    assert hw > 3 * pv > 3


def test_a_hosted_vmm_pays_a_trip_through_the_host_kernel_per_exit():
    type1 = measure("hw/hw", "syscall", N).modeled
    type2 = measure("hw/type2", "syscall", N).modeled
    dual = measure("hw/dual", "syscall", N).modeled
    assert type2 > 2 * type1                 # guest -> host kernel -> VMM process and back
    assert dual == pytest.approx(type1)      # CPU exits stay in the kernel module
