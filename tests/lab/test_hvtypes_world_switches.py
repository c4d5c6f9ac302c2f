"""Chapter 4's hypervisor-types experiment: model facts, figure, widget."""
import pytest

from vlab.host.costs import CostModel
from vlab.hosted import paths
from vlab.lab.hvtypes.world_switches import (
    EXIT_KINDS,
    TYPES,
    describe_exit,
    exit_view,
    plot_exit,
    type_comparison,
    types_explorer,
)


def test_every_type_gives_the_same_result():
    results = type_comparison()
    assert {(r.exit_code, r.console) for r in results.values()} == {
        (3, b'hello from the guest\n')}


@pytest.mark.parametrize('label', list(TYPES))
def test_cpu_exit_is_dearer_hosted_than_native(label):
    view = exit_view(label, EXIT_KINDS[0])
    assert paths.count(view.hops, paths.WORLD) == 2 and view.count == 4
    native = CostModel.default().cycles_of('vm_exit')
    assert view.cycles == (native if TYPES[label] in ('1', 'dual') else
                           native + CostModel.default().cycles_of('syscall')
                           + CostModel.default().cycles_of('context_switch'))


def test_device_exit_paths():
    assert exit_view('type 1 (native)', EXIT_KINDS[1]).hops == ()
    dual = exit_view('dual-mode (KVM-like)', EXIT_KINDS[1])
    hosted = exit_view('type 2 (hosted)', EXIT_KINDS[1])
    assert len(dual.hops) == len(hosted.hops) == 4 and dual.count == 22
    assert paths.count(dual.hops, paths.CONTEXT) == 0 < paths.count(hosted.hops, paths.CONTEXT)
    assert dual.cycles < hosted.cycles


def test_plot_and_text():
    view = exit_view('type 2 (hosted)', EXIT_KINDS[0])
    fig = plot_exit(view)
    assert 'type 2' in fig.axes[0].get_title()
    assert '2 world switches' in describe_exit(view)
    assert 'no exit' in describe_exit(exit_view('type 1 (native)', EXIT_KINDS[1]))


def test_widget_switches_type():
    exp = types_explorer()
    assert exp.states == 6
    exp.controls['hv_type'].value = 'dual-mode (KVM-like)'
    assert exp.data.hv_type == 'dual'


def test_bad_labels_are_errors():
    with pytest.raises(ValueError, match='hv_type in'):
        exit_view('type 3')
