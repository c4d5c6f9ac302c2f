"""Isolation between containers on one kernel, each case a hostile program (sh scripts on
the userland, an assembly memory hog): PID namespaces, file systems, UTS, pids.max,
memory.max with the OOM killer, cpu.max shares."""

from __future__ import annotations

import io
import os
import re

import pytest

from tests.os.guest_asm import call, elf_bytes
from vlab.os.container.kernelrun import Host
from vlab.os.container.launch import LaunchPlan
from vlab.os.container.process import ProcessConfig
from vlab.os.container.spec import Mount
from vlab.os.container.statedir import StateDir
from vlab.os.fs import WritableLayer

PATH = ["PATH=/bin:/sbin"]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    from vlab.os.container.images import open_store
    return open_store(StateDir(tmp_path_factory.mktemp("state"))).layers("vlab/base")


class Box:
    """A container started on a host, with its output kept."""

    def __init__(self, host, base, name, argv, *, limits=None, mounts=(), hostname=None):
        self.out = io.BytesIO()
        self.upper = WritableLayer()
        plan = LaunchPlan(name * 64 if len(name) == 1 else name, base, self.upper,
                          ProcessConfig(argv, PATH, "/", 0, 0, hostname or name), list(mounts),
                          dict(limits or {}), 0, None, self.out, self.out)
        self.run = host.start(plan)
        self.host = host

    @property
    def text(self) -> str:
        return self.out.getvalue().decode()

    @property
    def outcome(self):
        return self.run.outcome(self.host)


def sh(script: str) -> list[str]:
    return ["/bin/sh", "-c", script]


def test_a_container_sees_and_signals_only_its_own_processes(base):
    host = Host()
    a = Box(host, base, "a", sh("sleep 1; echo a-survived"))
    b = Box(host, base, "b", sh("ps; ls /proc; kill -9 4; echo kill=$?"))
    result = host.run(20_000_000)
    assert result.status == "exit", result
    sleeper = [p for p in host.kernel.processes.values() if p.comm == "sleep"]
    assert a.outcome.exit_code == 0 and "a-survived" in a.text
    lines = b.text.splitlines()
    assert lines[0].split() == ["PID", "PPID", "STAT", "CMD"]
    assert [row.split()[0] for row in lines[1:3]] == ["1", "2"]       # sh and ps only
    assert lines[3] != "3" and "kill=1" in b.text                       # ESRCH for 4
    assert not sleeper                                                  # all reaped
    assert a.run.proc.pid != 1 and a.run.proc.pid_in(a.run.ns.pid) == 1


def test_files_of_another_container_and_the_host_are_out_of_reach(base, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "data.txt").write_text("host data\n")
    (tmp_path / "outside.txt").write_text("top-secret-content\n")
    os.symlink(tmp_path / "outside.txt", shared / "escape")
    host = Host()
    a = Box(host, base, "a", sh("echo mine > /secret; rm /bin/ls; echo a-done"))
    b = Box(host, base, "b", sh(
        "cat /secret; echo cat=$?; ls /bin/ls; echo ls=$?; cat /../../secret; "
        "ls /..; cat /data/data.txt; echo x > /data/new; echo write=$?; "
        "echo y > /data/data.txt; cat /data/escape; echo link=$?; "
        "cat /data/../../outside.txt; echo dotdot=$?; ls /run; echo run=$?"),
        mounts=[Mount(str(shared), "/data", read_only=True)])
    host.run(30_000_000)
    assert a.outcome.exit_code == 0
    text = b.text
    assert "cat=1" in text and "mine" not in text                 # A's file: not in B
    assert "ls=0" in text                                           # A's rm: not in B
    assert "host data" in text                                      # the bind mount reads
    assert "write=1" in text and not (shared / "new").exists()      # ro: EROFS
    assert (shared / "data.txt").read_text() == "host data\n"
    assert "top-secret-content" not in text and "link=1" in text               # no link out of it
    assert "dotdot=1" in text and "run=0" not in text                  # the host's tree is gone
    assert a.upper.files == {"/secret": b"mine\n"} and a.upper.whiteouts == {"/bin/ls"}
    assert b.upper.files == {} and base[0].has("/bin/ls")          # the image unchanged


def test_a_hostname_change_is_invisible_outside(base):
    host = Host()
    a = Box(host, base, "a", sh("hostname evil; hostname"), hostname="alpha")
    b = Box(host, base, "b", sh("sleep 1; hostname"), hostname="beta")
    host.run(20_000_000)
    assert a.text.split() == ["evil"]
    assert b.text.split() == ["beta"]
    assert host.init.ns.uts.hostname != "evil"


def test_a_fork_bomb_stops_at_pids_max_and_the_host_stays_responsive(base):
    host = Host()
    bomb = Box(host, base, "a", sh("echo 'sh /b.sh & sh /b.sh' > /b.sh; sh /b.sh"),
               limits={"pids.max": "8"})
    calm = Box(host, base, "b", sh("sleep 1; echo still-here; ps"))
    peak = 0
    for _ in range(30):
        host.run(300_000)
        peak = max(peak, bomb.run.cgroup.pids.current)
        if calm.run.finished:
            break
    assert calm.run.finished and calm.outcome.exit_code == 0, calm.text
    assert "still-here" in calm.text
    assert peak <= 8
    events = dict(line.split() for line in bomb.run.cgroup.read_file("pids.events").splitlines())
    assert int(events["max"]) > 0                                  # forks were refused


PAGE = 4096


def hog_program(pages: int) -> bytes:
    """Map ``pages`` anonymous pages and touch each one: every touch is a new frame."""
    return elf_bytes(f"""
_start:
{call("mmap2", 0, pages * PAGE, 3, 0x22, -1, 0)}
    li t1, {pages}
    li t2, 1
touch:
    sw t2, 0(a0)
    li t3, {PAGE}
    add a0, a0, t3
    addi t1, t1, -1
    bnez t1, touch
{call("exit_group", 0)}
""")


def test_a_memory_hog_is_oom_killed_alone(base, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "hog").write_bytes(hog_program(512))            # 2 MiB
    os.chmod(bin_dir / "hog", 0o755)
    host = Host()
    hog = Box(host, base, "a", ["/opt/hog"], limits={"memory.max": str(1 << 20)},
              mounts=[Mount(str(bin_dir), "/opt", read_only=True)])
    other = Box(host, base, "b", ["/opt/hog"], mounts=[Mount(str(bin_dir), "/opt", True)])
    result = host.run(20_000_000)
    assert result.status == "exit", result
    outcome = hog.outcome
    assert (outcome.exit_code, outcome.stopped_by, outcome.oom_killed) == (137, "oom", True)
    assert other.outcome.exit_code == 0 and not other.outcome.oom_killed
    events = dict(line.split() for line in hog.run.cgroup.read_file("memory.events")
                  .splitlines())
    assert events["oom_kill"] == "1"


def test_two_busy_containers_get_their_cpu_max_shares(base):
    """Shares measured over three whole cpu.max periods (100 ms each, aligned as the
    kernel's periods are: a window cutting a period would count a part of a quota)."""
    host = Host()
    slow = Box(host, base, "a", sh("yes > /dev/null"), limits={"cpu.max": "20000 100000"})
    fast = Box(host, base, "b", sh("yes > /dev/null"), limits={"cpu.max": "50000 100000"})
    period = 100_000_000

    def run_past(boundary: int):
        while host.kernel.now_ns() < boundary:
            assert host.run(100_000).status == "budget"       # 1 ms of CPU per step
        return host.kernel.now_ns(), [box.run.cgroup.cpu.usage_ns for box in (slow, fast)]

    start, used = run_past(period)                       # both started long before
    end, now_used = run_past(4 * period)
    elapsed = end - start
    for before, after, want in zip(used, now_used, (0.20, 0.50), strict=True):
        share = (after - before) / elapsed
        assert abs(share - want) <= 0.05 * want, (share, want)
    stat = slow.run.cgroup.read_file("cpu.stat")
    assert int(re.search(r"nr_throttled (\d+)", stat).group(1)) >= 3
