"""Chapter 9's experiments hold the facts the chapter states."""

import pytest

from vlab.lab.appvm import (
    exercises,
    garbage_collection,
    hotness,
    package_streaming,
    programs,
    sandbox_layers,
    stepping,
    tampering,
    two_vms,
)


def test_stepper_starts_on_the_last_multiplication():
    experiment = stepping.stepper()
    view = experiment.data
    assert view.step.instruction == "MUL"
    assert view.step.stack == ["2", "2"]
    assert view.step.depth == 2
    assert view.total == 50 and view.output == "5\n"


def test_step_view_clamps_and_strips_host_addresses():
    assert stepping.step_view(10_000).index == stepping.step_view(49).index == 49
    assert stepping._short_repr("<range_iterator object at 0x7f12ab34...") == "<range_iterator>"


@pytest.mark.parametrize("name", [n for n in tampering.TAMPERINGS if n != "none"])
def test_every_tampering_is_rejected_with_a_reason(name):
    view = tampering.tamper_view(name)
    assert view.result.status == "rejected" and view.result.exit_code == 2
    assert view.result.message
    assert tampering.changed_offsets(view)


def test_the_untampered_class_runs():
    view = tampering.tamper_view("none")
    assert (view.result.status, view.result.output) == ("ok", "5\n")
    assert tampering.changed_offsets(view) == []


def test_verifier_names_method_and_offset():
    message = tampering.tamper_view("stack underflow").result.message
    assert message == "squares.square at offset 6: operand stack underflow"


def test_tamper_widget_reruns_the_model():
    experiment = tampering.tamper_explorer("none")
    experiment.controls["tampering"].value = "bad magic"
    assert experiment.data.name == "bad magic"
    assert "bad magic" in experiment.text


def test_smaller_heaps_collect_more_often_and_too_small_fails():
    counts = [len(garbage_collection.gc_view(kb).collections) for kb in (16, 32, 64)]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
    tiny = garbage_collection.gc_view(8)
    assert tiny.result.message.startswith("OutOfMemoryError")
    for view in (tiny, garbage_collection.gc_view(16)):
        assert view.points[0] == (0, 0)
        assert max(used for _, used in view.points) <= view.heap_limit


def test_jit_speedup_grows_with_hotness_below_the_ceiling():
    points = hotness.jit_view(threshold=2)
    assert points[0].speedup == 1.0 and points[0].compiled == 0
    speedups = [p.speedup for p in points]
    assert speedups[2:] == sorted(speedups[2:])
    assert 1 < speedups[-1] < hotness.jit_ceiling() == pytest.approx(45 / 4.4)
    assert points[1].speedup < 1  # compiled but never used yet: pure cost


def test_the_counts_cover_every_instruction_and_compiling_is_charged():
    point = hotness.hotness_point(8, 2)
    vm, _ = hotness.priced_run(programs.HOT.format(calls=8), jit=False)
    assert point.interpreted + point.compiled == vm.rt.icount
    assert point.bytecodes_compiled > 0


def test_a_higher_threshold_delays_the_benefit():
    early, late = hotness.hotness_point(16, 2), hotness.hotness_point(16, 8)
    assert early.interpreted < late.interpreted
    assert early.speedup > late.speedup


def test_two_vms_differ_only_by_configuration():
    default = two_vms.two_vms()
    (_, a), (_, b) = default.runs
    assert a.output == "1000 rows built\nreport written\n"
    assert b.output.endswith("PermissionError: policy denies write access to /out/report.txt\n")
    starved = two_vms.two_vms(heap_kb_b=4, policy_b="may write /out").runs[1][1]
    assert starved.message.startswith("OutOfMemoryError")


def test_sandbox_view_keeps_the_host_and_isolation_hides_notes():
    merged = sandbox_layers.sandbox_view("writecopy")
    assert merged.host_unchanged
    assert merged.layers["sandbox"] == ["/apps/editor/settings.txt", "/etc/motd",
                                        "/home/student/notes.txt"]
    assert merged.visible["/etc/motd"] == "sandbox"
    assert "/usr/lib/fonts.txt" not in merged.visible and merged.whiteouts == ["/usr/lib/fonts.txt"]
    assert merged.output == "buy milk\nand eggs\n"
    assert sandbox_layers.sandbox_view("full").output == "and eggs\n"


def test_streaming_fetches_only_what_the_launch_touches():
    lazy = package_streaming.streaming_view("wan", prefetch=False)
    eager = package_streaming.streaming_view("wan", prefetch=True)
    never = {b for path, blocks in lazy.files.items() for b in blocks
             if "Exporter" in path or "Printer" in path or "manual" in path}
    assert never and not never & set(lazy.fetched_by)
    assert len(lazy.events) == len(eager.events) + 1
    assert sum(e.nbytes for e in lazy.events) == sum(e.nbytes for e in eager.events)
    lan = package_streaming.streaming_view("lan", prefetch=False)
    assert sum(e.modeled_us for e in lan.events) < sum(e.modeled_us for e in lazy.events)


def test_guest_output_reports_compile_errors_and_failures():
    assert exercises.guest_output("print(6 * 7)") == "42\n"
    assert exercises.guest_output("import os").startswith("CompileError: answer.py:1:1:")
    assert exercises.guest_output("print(1)\nraise ValueError('no')") == (
        "1\n[exception] ValueError: no\n")
    assert exercises.guest_output("while True:\n    pass").startswith("[budget]")


def test_verdict_of_code_uses_the_real_verifier():
    square = [("LOAD_LOCAL", 0), ("DUP",), ("MUL",), ("RETURN",)]
    assert exercises.verdict_of_code(square) == "accepted"
    assert exercises.verdict_of_code([("LOAD_LOCAL", 0), ("MUL",), ("RETURN",)]) == (
        "rejected: squares.square at offset 3: operand stack underflow")
    assert exercises.verdict_of_code([("LOAD_LOCAL", 0), ("DUP",), ("DUP",), ("RETURN",)],
                                max_stack=3) == "accepted"


def test_actual_launch_counts_requests_blocks_and_bytes():
    real = exercises.actual_launch({"a": 2500, "b": 0, "c": 9000}, ["a", "b", "a"], 1024)
    assert (real["requests"], real["blocks"]) == (2, 3)
    assert real["bytes"] == real["metadata_bytes"] + 2500
    assert real["modeled_us"] == pytest.approx(2 * 500 + real["bytes"] * 8 / 100)


def test_scenario_layers():
    layers, whiteouts = exercises.scenario_layers()
    assert layers == {"/etc/motd": "sandbox", "/home/s/notes.txt": "sandbox",
                      "/usr/lib/libc.txt": None, "/apps/app/app.cfg": "package",
                      "/tmp/new.txt": None}
    assert whiteouts == ["/usr/lib/libc.txt"]


def test_package_layout_figure_names_size_and_blocks():
    from vlab.application.sandbox.hll_app import package_program

    package = package_program(programs.VIEWER, "viewer", files=programs.VIEWER_FILES)
    fig = package_streaming.plot_package_layout(package)
    assert fig.axes[0].get_title() == (
        f"viewer.vapp: {package.size} bytes, {package.header.block_count} blocks "
        "(white lines: block boundaries)")
    assert len(fig.axes[0].patches) == 2 + package.header.block_count


def test_generational_collector_runs_minor_and_major_collections():
    view = garbage_collection.gc_view(16, "generational")
    kinds = {c.kind for c in view.collections}
    assert kinds == {"minor", "major"}
    assert view.result.output == garbage_collection.gc_view(16).result.output == "4 chains kept\n"


def test_the_two_isolations_of_home_draw_and_say_different_things():
    from vlab.lab.style import figure_png

    merged, isolated = (sandbox_layers.sandbox_view(home) for home in ("writecopy", "full"))
    assert (merged.hidden, isolated.hidden) == ([], ["/home/student/notes.txt"])
    assert merged.copied == ["/etc/motd", "/home/student/notes.txt"]
    assert isolated.copied == ["/etc/motd"]
    plots = [figure_png(sandbox_layers.plot_layers(view)) for view in (merged, isolated)]
    assert plots[0] != plots[1]
    text = sandbox_layers.describe_layers(merged)
    assert '2 lines: "buy milk" and "and eggs".' in text and "\\n" not in text
    assert "hides the host's /home/student/notes.txt" in sandbox_layers.describe_layers(isolated)
