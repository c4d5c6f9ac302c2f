"""Layer-stack figures draw the boxes, highlights and labels the chapter talks about."""

from matplotlib.patches import Rectangle

from vlab.lab.concepts import levels, stacks
from vlab.lab.style import HIGHLIGHT, LEVEL_COLORS


def _texts(fig):
    return [text.get_text() for ax in fig.axes for text in ax.texts]


def _boxes(ax):
    return [patch for patch in ax.patches if isinstance(patch, Rectangle)]


def test_vm_types_figure_has_four_titled_stacks_and_marks_privilege():
    fig = stacks.plot_vm_types()
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["(a) Traditional machine", "(b) Native (bare-metal) VM",
                      "(c) Hosted VM", "(d) Dual-mode VM"]
    privileged_tags = _texts(fig).count("privileged")
    expected = sum(len(levels.privileged_software(s)) for s in levels.VM_TYPES.values())
    assert privileged_tags == expected == 5


def test_every_box_of_a_stack_is_drawn_with_its_label():
    fig = stacks.plot_vm_type(levels.vm_type("hosted"))
    labels = [patch.get_label() for patch in _boxes(fig.axes[0])]
    assert labels == [box.label for box in levels.vm_type("hosted").boxes()]


def test_the_virtualization_layer_has_the_highlight_edge():
    fig = stacks.plot_vm_type(levels.vm_type("native"))
    edged = [p.get_label() for p in _boxes(fig.axes[0])
             if p.get_edgecolor()[:3] == _rgb(HIGHLIGHT)]
    assert edged == ["Hypervisor (VMM)"]


def test_level_figure_highlights_the_selected_level_and_its_interface():
    fig = stacks.plot_level("library", "WINE")
    ladder, system = fig.axes
    chosen = [p for p in _boxes(ladder) if p.get_alpha() == 1.0]
    assert [p.get_label() for p in chosen] == ["Library (user-level API)"]
    assert chosen[0].get_facecolor()[:3] == _rgb(LEVEL_COLORS["library"])
    assert "WINE" in [p.get_label() for p in _boxes(system)]
    assert any(line.get_label() == "intercepted interface" for line in system.lines)
    assert any(t.startswith("intercepts:\nlibrary calls") for t in _texts(fig))
    assert system.get_title() == "WINE: Library (user-level API)"


def test_before_and_after_shows_the_virtualization_layer_only_after():
    fig = stacks.plot_before_after()
    before, after = ([p.get_label() for p in _boxes(ax)] for ax in fig.axes)
    assert "Virtualization layer (hypervisor or VMM)" in after
    assert not any("Virtualization" in label for label in before)


def test_ladder_lists_every_example_technology():
    text = " ".join(_texts(stacks.plot_levels()))
    assert all(tech.name in text for tech in levels.TECHNOLOGIES)


def _rgb(hex_color):
    return tuple(int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5))
