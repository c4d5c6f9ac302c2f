"""The runtime on the kernel: run, exec in the persisted world, detached runs, budgets,
OOM, exit codes, and RUN steps of a build."""

from __future__ import annotations

import io

import pytest

from vlab.os.container.build import BuildError, build
from vlab.os.container.runtime import Runtime
from vlab.os.container.spec import Mount, RunSpec
from vlab.os.container.statedir import StateDir


@pytest.fixture
def runtime(tmp_path):
    return Runtime(StateDir(tmp_path / "state"))


def run(runtime, command, budget=20_000_000, **options):
    record = runtime.create(RunSpec("vlab/base", command, **options))
    out, err = io.BytesIO(), io.BytesIO()
    outcome = runtime.start(record, stdout=out, stderr=err, budget=budget)
    return runtime.containers.get(record.id), outcome, out.getvalue().decode(), \
        err.getvalue().decode()


def test_run_records_exit_code_logs_and_writable_layer(runtime):
    record, outcome, out, _ = run(runtime, ["sh", "-c", "echo hi; echo data > /f; exit 3"])
    assert (outcome.exit_code, out) == (3, "hi\n")
    assert (record.state, record.exit_code, record.stopped_by) == ("exited", 3, "exit")
    assert runtime.containers.logs(record) == (b"hi\n", b"")
    assert runtime.containers.load_upper(record).files == {"/f": b"data\n"}


def test_exec_runs_in_the_persisted_world(runtime):
    record, *_ = run(runtime, ["sh", "-c", "echo kept > /kept; rm /bin/true"],
                     hostname="box", env=["A=1"])
    out = io.BytesIO()
    outcome = runtime.exec(record, ["sh", "-c", "cat /kept; hostname; echo $A; true"],
                           stdout=out, stderr=out, budget=20_000_000)
    assert out.getvalue().decode().splitlines()[:3] == ["kept", "box", "1"]
    assert outcome.exit_code == 127                      # /bin/true was deleted in run
    again = runtime.containers.get(record.id)
    assert again.exit_code == 0 and again.runs == 2      # exec leaves the main status


def test_environment_user_workdir_and_hostname_reach_pid_1(runtime):
    _, outcome, out, _ = run(runtime, ["sh", "-c", "id; hostname; echo $GREETING; ls"],
                             env=["GREETING=hello"], user="1000:100", workdir="/bin",
                             hostname="web1")
    lines = out.splitlines()
    assert outcome.exit_code == 0
    assert lines[0].startswith("uid=1000") and "gid=100" in lines[0]
    assert lines[1:3] == ["web1", "hello"] and "sh" in lines[3:]


def test_budget_spent_is_a_kill_with_137(runtime):
    record, outcome, *_ = run(runtime, ["sh", "-c", "yes > /dev/null"], budget=2_000_000)
    assert (outcome.exit_code, outcome.stopped_by) == (137, "budget")
    assert (record.state, record.exit_code, record.stopped_by) == ("exited", 137, "budget")


def test_an_unknown_command_is_127_and_recorded(runtime):
    record, outcome, _, err = run(runtime, ["nosuchcmd"])
    assert outcome.exit_code == 127 and "executable file not found" in err
    assert record.stopped_by == "error" and record.state == "exited"


def test_memory_limit_oom_kill_is_137_and_recorded(runtime, tmp_path):
    from tests.os.test_container_isolation import hog_program
    (tmp_path / "hog").write_bytes(hog_program(256))               # 1 MiB
    (tmp_path / "hog").chmod(0o755)
    record, outcome, *_ = run(runtime, ["/opt/hog"], memory=256 << 10,
                              mounts=[Mount(str(tmp_path), "/opt", read_only=True)])
    assert (outcome.exit_code, outcome.stopped_by) == (137, "oom") and outcome.oom_killed
    assert record.oom_killed and record.inspect()["State"]["OOMKilled"]
    _, fits, *_ = run(runtime, ["/opt/hog"], memory=4 << 20,
                      mounts=[Mount(str(tmp_path), "/opt", read_only=True)])
    assert fits.exit_code == 0 and not fits.oom_killed


def test_bind_mount_read_write(runtime, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    _, outcome, *_ = run(runtime, ["sh", "-c", "echo from-container > /data/out.txt"],
                         mounts=[Mount(str(shared), "/data")])
    assert outcome.exit_code == 0
    assert (shared / "out.txt").read_text() == "from-container\n"


def test_build_with_run_steps_and_cache(runtime, tmp_path):
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "greeting").write_text("hello from the build\n")
    (context / "Containerfile").write_text(
        "FROM vlab/base\nCOPY greeting /etc/greeting\nRUN cat /etc/greeting > /etc/copy; "
        "rm /bin/yes\nENV WHO=students\nCMD [\"/bin/sh\", \"-c\", \"cat /etc/copy; echo $WHO; "
        "ls /bin/yes\"]\n")
    log = io.StringIO()
    build(runtime, str(context), "greeter", out=log, budget=20_000_000)
    assert "STEP 3/5: RUN cat /etc/greeting" in log.getvalue()
    layers = runtime.images.record("greeter").layers
    assert len(layers) == 3                                  # base, COPY, RUN
    record = runtime.create(RunSpec("greeter"))
    out = io.BytesIO()
    outcome = runtime.start(record, stdout=out, stderr=out, budget=20_000_000)
    text = out.getvalue().decode()
    assert "hello from the build" in text and "students" in text
    assert outcome.exit_code != 0                            # ls of the deleted /bin/yes
    again = io.StringIO()
    build(runtime, str(context), "greeter", out=again, budget=20_000_000)
    assert again.getvalue().count("CACHED") == 2


def test_a_failing_run_step_fails_the_build_and_names_the_line(runtime, tmp_path):
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "Containerfile").write_text("FROM vlab/base\nRUN echo ok\nRUN false\n")
    with pytest.raises(BuildError, match=r"Containerfile:3.*non-zero code: 1"):
        build(runtime, str(context), "broken", out=io.StringIO(), budget=20_000_000)
    assert "broken:latest" not in runtime.images.store.names()
