"""Chapter 7's exercise oracles are real runs of the models and can tell answers apart."""

from __future__ import annotations

from vlab.lab.oslevel import exercises


def test_the_layer_scenario_follows_copy_up_whiteout_and_opaque_rules():
    real = exercises.scenario_answers()
    assert real["answering"]["/etc/motd"] == "container"      # copied up from app, then edited
    assert real["answering"]["/etc/hosts"] == "base"
    assert real["answering"]["/usr/share/doc/b.txt"] is None  # deleted by the image itself
    assert real["whiteouts"] == ["/bin/sh"]                    # /tmp/t lived only on top
    assert real["opaque"] == ["/usr/share/doc"]
    assert exercises.scenario_container().read("/etc/motd") == b"app motd\nedited\n"


def test_without_steps_the_image_answers_for_itself():
    real = exercises.scenario_answers(steps=())
    assert real["files"] == real["whiteouts"] == real["opaque"] == []
    assert real["answering"]["/etc/motd"] == "app" and real["answering"]["/bin/sh"] == "base"
