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


def test_stored_chain_ids_follow_the_spec_formula():
    import hashlib

    diff_ids, chains = exercises.stored_chain_ids(exercises.CHAIN_LAYERS)
    expected = [diff_ids[0]]
    for diff_id in diff_ids[1:]:
        text = f"{expected[-1]} {diff_id}".encode()
        expected.append("sha256:" + hashlib.sha256(text).hexdigest())
    assert chains == expected and len(set(chains)) == 3


def test_the_reference_limits_pass_by_running_them():
    measured = exercises.run_with_limits({"cpu.max": "2500 10000", "memory.max": "2097152",
                                          "pids.max": "4"})
    assert abs(measured["cpu_share"] - 0.25) < 0.005
    assert measured["hog_exit"] == {1024: 0, 4096: 137}
    assert measured["processes"] == 4


def test_a_weight_is_no_ceiling_and_no_limits_limit_nothing():
    for limits in ({"cpu.weight": "33"}, {}):
        measured = exercises.run_with_limits(limits)
        assert measured["cpu_share"] > 0.99          # alone, a weight does not cap
        assert measured["hog_exit"] == {1024: 0, 4096: 0}
        assert measured["processes"] == 1 + 10       # every fork succeeded


def test_values_the_kernel_refuses_come_back_as_an_error_not_an_exception():
    assert "cpu.max" in exercises.run_with_limits({"cpu.max": "banana"})["error"]
    assert "dict" in exercises.run_with_limits(["cpu.max"])["error"]


def test_a_hog_size_must_be_whole_steps():
    import pytest

    from vlab.lab.oslevel.workloads import hog_source

    with pytest.raises(ValueError, match="multiple of 64"):
        hog_source(100)


GOOD_CONTAINERFILE = ('FROM scratch\nCOPY greet /bin/greet\nCOPY message.txt /srv/message.txt\n'
                      'ENV GREETING=hello\nWORKDIR /srv\nCMD ["/bin/greet"]\n')


def test_the_reference_containerfile_builds_and_its_container_greets():
    result = exercises.build_and_run(GOOD_CONTAINERFILE)
    assert result["output"] == "hello\n" + exercises.MESSAGE.decode()
    assert result["exit_code"] == 0 and result["layers"] == 2
    assert result["workdir"] == "/srv" and result["cmd"] == ["/bin/greet"]
    assert exercises.build_and_run(GOOD_CONTAINERFILE, env=("GREETING=bye",))["output"] \
        .startswith("bye\n")


def test_a_containerfile_missing_a_step_shows_in_what_the_container_does():
    no_env = exercises.build_and_run('FROM scratch\nCOPY greet /bin/greet\nCMD ["/bin/greet"]\n')
    assert no_env["exit_code"] == 1 and no_env["output"] == "GREETING is not set\n"
    no_workdir = exercises.build_and_run(GOOD_CONTAINERFILE.replace("WORKDIR /srv\n", ""))
    assert no_workdir["exit_code"] == 2 and "not found" in no_workdir["output"]


def test_a_containerfile_error_names_the_line_and_no_temporary_path():
    error = exercises.build_and_run("FROM scratch\nBOGUS x\n")["error"]
    assert "Containerfile:2" in error and "/tmp" not in error
    assert "/tmp" not in exercises.build_and_run("FROM vlab/nothing\n")["error"]
