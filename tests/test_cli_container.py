"""``vlab container``: docker's verbs, exit codes (125 runtime, 2 usage), one state dir."""

from __future__ import annotations

import json

import pytest

from vlab.cli import main


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("VLAB_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def _scratch_image(tmp_path, capsys, name="demo"):
    context = tmp_path / "ctx"
    context.mkdir(exist_ok=True)
    (context / "hello.txt").write_text("hello\n")
    (context / "Containerfile").write_text(
        "FROM scratch\nCOPY hello.txt /hello.txt\nENV A=1\nCMD [\"/bin/cat\", \"/hello.txt\"]\n")
    assert main(["container", "build", "-t", name, str(context)]) == 0
    return capsys.readouterr().out


def test_help_names_the_verbs_and_the_state_dir(capsys):
    with pytest.raises(SystemExit) as done:
        main(["container", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for verb in ("build", "run", "ps", "exec", "logs", "stop", "rm", "images", "rmi",
                 "inspect", "save", "load"):
        assert verb in out
    assert "VLAB_STATE_DIR" in out and "--network none" in out


def test_no_verb_and_a_bad_flag_are_usage_errors(state, capsys):
    assert main(["container"]) == 2
    with pytest.raises(SystemExit) as done:
        main(["container", "run", "--budget", "zero", "img"])
    assert done.value.code == 2


@pytest.mark.parametrize("flags, words", [
    (["--network", "bridge"], "sockets are not part"),
    (["--memory", "lots"], "invalid --memory"),
    (["--cpus", "4"], "range of CPUs"),
    (["-v", "/no/such:/data"], "does not exist"),
    (["-e", "=x"], "invalid -e"),
    (["--hostname", "no_way!"], "invalid --hostname"),
])
def test_bad_option_values_exit_125_with_a_reason(state, capsys, flags, words):
    assert main(["container", "run", *flags, "vlab/base", "true"]) == 125
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_unknown_image_and_container_exit_125(state, capsys):
    assert main(["container", "run", "nosuch", "true"]) == 125
    assert "nosuch" in capsys.readouterr().err
    for verb in (["logs", "abc"], ["rm", "abc"], ["stop", "abc"], ["inspect", "abc"],
                 ["exec", "abc", "true"]):
        assert main(["container", *verb]) == 125, verb
        assert "no such container" in capsys.readouterr().err


def test_build_images_inspect_rmi(state, tmp_path, capsys):
    out = _scratch_image(tmp_path, capsys)
    assert "STEP 1/4: FROM scratch" in out and "Successfully tagged demo:latest" in out
    assert main(["container", "build", "-t", "demo", str(tmp_path / "ctx")]) == 0
    assert "CACHED" in capsys.readouterr().out
    assert main(["container", "images"]) == 0
    listing = capsys.readouterr().out
    assert "REPOSITORY" in listing and "demo" in listing
    assert main(["container", "inspect", "demo"]) == 0
    (info,) = json.loads(capsys.readouterr().out)
    assert info["Config"]["Cmd"] == ["/bin/cat", "/hello.txt"]
    assert main(["container", "rmi", "demo"]) == 0
    assert main(["container", "inspect", "demo"]) == 125


def test_a_build_error_exits_125_with_file_and_line(state, tmp_path, capsys):
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "Containerfile").write_text("FROM scratch\nRUNN echo\n")
    assert main(["container", "build", "-t", "bad", str(context)]) == 125
    assert "Containerfile:2" in capsys.readouterr().err


def test_create_ps_inspect_logs_rm_across_commands(state, tmp_path, capsys):
    _scratch_image(tmp_path, capsys)
    assert main(["container", "create", "--name", "web", "-e", "B=2", "--memory", "4m",
                 "--cpus", "0.5", "--pids-limit", "10", "demo"]) == 0
    cid = capsys.readouterr().out.strip()
    assert len(cid) == 64
    assert main(["container", "ps"]) == 0
    assert "web" not in capsys.readouterr().out           # not running
    assert main(["container", "ps", "-a"]) == 0
    listing = capsys.readouterr().out
    assert "web" in listing and "Created" in listing and cid[:12] in listing
    assert main(["container", "inspect", cid[:6]]) == 0
    (info,) = json.loads(capsys.readouterr().out)
    assert info["Name"] == "/web"
    assert info["Config"]["Env"][-2:] == ["A=1", "B=2"]
    assert info["CgroupLimits"] == {"memory.max": str(4 << 20), "cpu.max": "50000 100000",
                                    "pids.max": "10"}
    assert main(["container", "rmi", "demo"]) == 125       # in use
    assert "uses it" in capsys.readouterr().err
    assert main(["container", "rmi", "demo:latest"]) == 125   # the same image, tagged
    assert main(["container", "logs", "web"]) == 0
    assert main(["container", "rm", "web"]) == 0
    assert main(["container", "ps", "-a", "-q"]) == 0
    assert capsys.readouterr().out.strip() == "web"       # rm echoes the name; ps is empty


def test_save_and_load_through_the_cli(state, tmp_path, capsys):
    _scratch_image(tmp_path, capsys)
    assert main(["container", "save", "-o", str(tmp_path / "layout"), "demo"]) == 0
    assert (tmp_path / "layout" / "oci-layout").is_file()
    assert main(["container", "--state-dir", str(tmp_path / "other"), "load", "-i",
                 str(tmp_path / "layout")]) == 0
    assert "Loaded image: demo:latest" in capsys.readouterr().out
    assert main(["container", "load", "-i", str(tmp_path / "nothing")]) == 125


# ---------------------------------------------------------------- on the kernel

def test_run_exit_status_output_and_a_second_command_sees_it(state, capsys):
    assert main(["container", "run", "--name", "web", "--hostname", "box", "-e", "A=1",
                 "vlab/base", "sh", "-c", "echo $A > /note; hostname >> /note; cat /note; "
                 "exit 5"]) == 5
    out = capsys.readouterr().out
    assert out == "1\nbox\n"
    assert main(["container", "exec", "web", "cat", "/note"]) == 0
    assert capsys.readouterr().out == out
    assert main(["container", "logs", "web"]) == 0
    assert capsys.readouterr().out == out
    assert main(["container", "ps", "-a"]) == 0
    assert "Exited (5)" in capsys.readouterr().out


def test_run_detached_prints_the_id_and_keeps_output_for_logs(state, capsys):
    assert main(["container", "run", "-d", "vlab/base", "sh", "-c", "echo in-the-log"]) == 0
    cid = capsys.readouterr().out.strip()
    assert len(cid) == 64
    assert main(["container", "logs", cid[:8]]) == 0
    assert capsys.readouterr().out == "in-the-log\n"
    assert main(["container", "inspect", cid]) == 0
    (info,) = json.loads(capsys.readouterr().out)
    assert info["State"]["Status"] == "exited" and info["State"]["ExitCode"] == 0


def test_rm_flag_budget_and_not_found(state, capsys):
    assert main(["container", "run", "--rm", "--budget", "1000000", "vlab/base", "sh", "-c",
                 "yes > /dev/null"]) == 137
    assert "budget" in capsys.readouterr().err
    assert main(["container", "run", "--rm", "vlab/base", "nosuch"]) == 127
    assert "not found" in capsys.readouterr().err
    assert main(["container", "ps", "-a", "-q"]) == 0
    assert capsys.readouterr().out == ""                   # --rm removed both


def test_pids_limit_and_memory_flags_reach_the_cgroup(state, capsys):
    assert main(["container", "run", "--pids-limit", "3", "--memory", "8m", "--cpus", "0.5",
                 "vlab/base", "sh", "-c", "cat /sys/fs/cgroup/pids.max; "
                 "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.max"]) == 0
    assert capsys.readouterr().out.split() == ["3", str(8 << 20), "50000", "100000"]
