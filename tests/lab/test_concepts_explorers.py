"""Chapter 1's experiments and the VM-operations model, driven without a browser."""

import pytest

from vlab.lab.concepts import explorers, levels, vm_timeline


def test_technology_explorer_offers_every_example_and_starts_on_xen():
    exp = explorers.technology_explorer()
    values = [value for _, value in exp.controls["technology"].options]
    assert values == [tech.name for tech in levels.TECHNOLOGIES]
    assert exp.data.level.key == "hardware"
    assert "privileged instructions" in exp.text


def test_picking_a_technology_redraws_its_level():
    exp = explorers.technology_explorer()
    exp.controls["technology"].value = "Docker"
    assert exp.data.level.key == "os"
    assert exp.figure.axes[1].get_title() == "Docker: Operating system"
    assert "system-call interface" in exp.text
    assert exp.output.outputs[0]["data"]["text/plain"] == (
        "<figure: Five levels of virtualization | Docker: Operating system>")


def test_vm_type_explorer_says_who_runs_privileged():
    exp = explorers.vm_type_explorer()
    assert "privileged mode: Hypervisor (VMM)." in exp.text
    exp.controls["vm_type"].value = "hosted"
    assert "privileged mode: Host OS (unmodified)." in exp.text
    assert "User mode: Guest OS, Guest apps, Host apps, VMM." in exp.text


def test_lifecycle_explorer_steps_through_the_operations():
    exp = explorers.lifecycle_explorer()
    assert exp.data.operation.key == "multiplex"
    exp.controls["step"].value = 3
    assert exp.data.operation.key == "migrate"
    assert exp.figure.axes[0].get_title() == "Live migration"
    assert exp.text.endswith("Host A: empty; Host B: VM1, VM2, VM3; Storage: empty.")


@pytest.mark.parametrize(("step", "placement", "moved"), [
    (0, {"VM1": "Host A", "VM2": "Host A", "VM3": "Host B"}, None),
    (1, {"VM1": "Host A", "VM2": "Storage", "VM3": "Host B"}, ("VM2", "Host A", "Storage")),
    (2, {"VM1": "Host A", "VM2": "Host B", "VM3": "Host B"}, ("VM2", "Storage", "Host B")),
    (3, {"VM1": "Host B", "VM2": "Host B", "VM3": "Host B"}, ("VM1", "Host A", "Host B")),
])
def test_lifecycle_scenario(step, placement, moved):
    snapshot = vm_timeline.lifecycle(step)
    assert {vm.name: vm.location for vm in snapshot.vms} == placement
    assert snapshot.moved == moved


def test_suspended_vms_do_not_run_and_only_running_vms_migrate():
    vms = vm_timeline.suspend(vm_timeline.START, "VM1")
    assert vm_timeline._find(vms, "VM1").state == vm_timeline.SUSPENDED
    with pytest.raises(ValueError, match="provisioned, not migrated"):
        vm_timeline.migrate(vms, "VM1", "Host B")
    with pytest.raises(ValueError, match="only migrate to another host"):
        vm_timeline.migrate(vm_timeline.START, "VM2", "Host A")
    with pytest.raises(ValueError, match="nothing to resume"):
        vm_timeline.provision(vm_timeline.START, "VM3", "Host A")
    with pytest.raises(ValueError, match="step must be between 0 and 3"):
        vm_timeline.lifecycle(4)


def test_lifecycle_overview_has_one_panel_per_operation():
    fig = vm_timeline.plot_lifecycle_overview()
    assert [ax.get_title() for ax in fig.axes] == [
        "(a) Multiplexing", "(b) Suspension (storage)", "(c) Provision (resume)",
        "(d) Live migration"]


def test_merits_table_text_and_html_quote_table_3_1_with_its_source():
    table = explorers.merits_table()
    text = repr(table)
    assert text.splitlines()[5].split()[-4:] == ["1", "5", "3", "3"]  # ISA row
    assert "Table 3.1" in text and "Table 3.1" in table._repr_html_()
    assert table._repr_html_().count("<tr>") == 6


def test_levels_table_lists_levels_top_first_with_lecture_names_and_examples():
    table = explorers.levels_table()
    assert [row[0] for row in table.rows][0] == "Application"
    assert table.rows[-1][1] == "Nível de arquitetura do conjunto de instruções (ISA)"
    assert table.rows[-1][3] == "Bochs, Crusoe, QEMU, BIRD, Dynamo"


def test_merits_heat_map_writes_every_rating():
    fig = explorers.plot_merits()
    keys, ratings = explorers.merits_matrix()
    assert [t.get_text() for t in fig.axes[0].texts] == [str(v) for v in ratings.flat]
