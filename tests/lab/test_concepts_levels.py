"""The course data of chapter 1 matches the lecture (Hwang et al. 2011, sec. 1.2.3, 3.1)."""

import itertools

import pytest

from vlab.lab.concepts import levels


def test_five_levels_bottom_to_top_match_the_subpackages():
    assert levels.LEVEL_KEYS == ("isa", "hardware", "os", "library", "application")
    assert [lvl.number for lvl in levels.LEVELS] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(("key", "examples"), [
    ("application", ("JVM", ".NET CLR")),
    ("library", ("vCUDA", "WINE", "WABI", "LxRun")),
    ("os", ("Docker", "LXC")),
    ("hardware", ("Hyper-V", "Xen", "KVM/QEMU", "VMware")),
    ("isa", ("Bochs", "Crusoe", "QEMU", "BIRD", "Dynamo")),
])
def test_examples_per_level_are_the_lecture_s(key, examples):
    assert levels.technologies_at(key) == examples


def test_every_level_says_what_it_intercepts_and_where_it_is_modelled():
    for lvl in levels.LEVELS:
        assert lvl.interface and lvl.layer and lvl.presents
        assert all(2 <= chapter <= 9 for chapter in lvl.chapters)


def test_relative_merits_are_exactly_table_3_1_of_the_lecture():
    rows = {key: tuple(levels.RELATIVE_MERITS[key][c] for c in levels.MERIT_CRITERIA)
            for key in levels.RELATIVE_MERITS}
    assert rows == {
        "application": (2, 2, 5, 5),
        "library": (3, 2, 2, 2),
        "os": (5, 2, 3, 2),
        "hardware": (5, 3, 5, 4),
        "isa": (1, 5, 3, 3),
    }
    assert "Table 3.1" in levels.MERITS_SOURCE


@pytest.mark.parametrize(("key", "privileged"), [
    ("traditional", ("Host OS",)),
    ("native", ("Hypervisor (VMM)",)),
    ("hosted", ("Host OS (unmodified)",)),
    ("dual-mode", ("Host OS (modified)", "VMM, supervisor part")),
])
def test_who_runs_privileged_in_each_vm_type(key, privileged):
    assert levels.privileged_software(levels.vm_type(key)) == privileged


def test_guest_oses_never_run_privileged():
    for stack in levels.VM_TYPES.values():
        for box in stack.boxes():
            if box.role == "guest_os":
                assert box.mode == levels.USER


def test_boxes_of_a_row_do_not_overlap_and_stay_in_the_unit_width():
    stacks = [*levels.VM_TYPES.values(), *levels.BEFORE_AND_AFTER,
              *(levels.level_stack(key) for key in levels.LEVEL_KEYS)]
    for stack in stacks:
        for row in stack.rows:
            spans = sorted((box.x, box.x + box.width) for box in row)
            assert spans[0][0] >= 0 and spans[-1][1] <= 1
            assert all(end <= start for (_, end), (start, _) in itertools.pairwise(spans))


def test_level_stack_names_its_layer_after_the_technology():
    stack = levels.level_stack("os", "Docker")
    assert stack.rows[stack.virt_row][0].label == "Docker"
    assert stack.interface == levels.level("os").interface


def test_level_stack_rejects_a_technology_of_another_level():
    with pytest.raises(ValueError, match="Docker is an example of the 'os' level"):
        levels.level_stack("hardware", "Docker")


@pytest.mark.parametrize("call", [
    lambda: levels.level("kernel"),
    lambda: levels.technology("VirtualBox"),
    lambda: levels.vm_type("type-3"),
])
def test_unknown_names_get_an_error_that_lists_the_choices(call):
    with pytest.raises(ValueError, match="choose one of"):
        call()


def test_chapters_not_written_yet_are_named_as_coming():
    from pathlib import Path

    written = sorted(int(path.name[:2]) for path in
                     (Path(__file__).parents[2] / "book" / "chapters").glob("[0-9][0-9]-*.ipynb"))
    assert list(levels.WRITTEN_CHAPTERS) == written
    assert levels.chapter_list((2, 3)) == "2, 3"
    assert levels.chapter_list((4, 9)) == "4, 9"
    assert levels.chapter_list((9, 12)) == "9, 12 (coming)"  # a chapter the book lacks
