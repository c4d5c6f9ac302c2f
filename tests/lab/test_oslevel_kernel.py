"""Chapter 7's experiments on vlab's kernel: each result comes from a real run and says
what the chapter says it does (and would fail if a namespace or a limit leaked)."""

from __future__ import annotations

import posixpath

import pytest

from vlab.lab.oslevel import cpu_quota, density, memory_limit, namespace_flags, process_tree


def test_the_host_sees_every_process_and_each_container_only_its_own():
    host, web, db = (process_tree.tree_view(v) for v in ("host", "web", "db"))
    assert len(host.visible) == len(host.procs)
    assert {p.container for p in web.visible} == {"web"}
    assert {p.container for p in db.visible} == {"db"}
    assert sorted(p.pids["web"] for p in web.visible) == [1, 2, 3]
    pid1 = next(p for p in web.visible if p.pids["web"] == 1)
    assert pid1.comm == "sh" and pid1.pids["host"] != 1 and web.ppid(pid1) == 0


def test_ps_inside_the_container_agrees_with_the_kernel_s_numbers():
    _, outputs = process_tree.snapshot()
    listed = [line.split(None, 3) for line in outputs["web"].splitlines()[1:]]
    # ps shows argv (PID 1's is '/bin/sh -c ...'); the kernel's comm is argv[0]'s basename
    rows = {(int(pid), int(ppid), posixpath.basename(cmd.split()[0]))
            for pid, ppid, _, cmd in listed}
    rows = {row for row in rows if row[2] != "ps"}
    assert rows == set(process_tree.ps_table(process_tree.tree_view("web")))
    assert outputs["db"] == "db: my pid is 1\n"


@pytest.mark.parametrize("pid,uts,mnt", [(False, False, False), (True, True, True),
                                         (False, True, False), (False, False, True)])
def test_each_namespace_keeps_exactly_its_resource_apart(pid, uts, mnt):
    view = namespace_flags.namespace_view(pid, uts, mnt)
    assert (view.child_pid == 1) == pid
    assert (view.outside_hostname == "outside") == uts
    assert (view.outside_mnt == []) == mnt
    if not mnt:
        assert view.outside_mnt == ["note"]


@pytest.mark.parametrize("quota_us", [1_000, 2_000])
def test_a_binding_quota_caps_the_share_and_the_other_container_gets_the_rest(quota_us):
    run = cpu_quota.quota_run(quota_us, "spin")
    assert run.share["A"] == pytest.approx(quota_us / cpu_quota.PERIOD_US, abs=0.02)
    assert run.share["A"] + run.share["B"] == pytest.approx(1.0, abs=0.05)
    assert run.throttled >= run.periods - 1


def test_a_quota_is_a_ceiling_even_on_an_idle_cpu():
    run = cpu_quota.quota_run(2_000, "pause")
    assert run.share["A"] == pytest.approx(0.4, abs=0.02) and run.share["B"] < 0.01


def test_without_a_binding_quota_two_busy_containers_share_evenly():
    run = cpu_quota.quota_run(5_000, "spin")
    assert run.share["A"] == pytest.approx(run.share["B"], abs=0.05)


def test_the_oom_killer_kills_the_hog_only_and_reports_it():
    killed, spared = memory_limit.memory_run(2), memory_limit.memory_run(4)
    assert killed.exit_code == 137 and killed.events["oom_kill"] == 1
    assert killed.peak_kib <= 2 * 1024 and killed.last_line.startswith("hog:")
    assert killed.neighbour_alive and killed.current_kib["neighbour"][-1] > 0
    assert spared.exit_code == 0 and spared.last_line == "hog: done"
    assert spared.events["oom_kill"] == 0


def test_idle_containers_cost_the_same_each_and_share_one_image():
    one, eight = density.density_run(1), density.density_run(8)
    assert eight.memory_bytes == one.memory_bytes * 8
    assert eight.start_cycles == pytest.approx(8 * one.start_cycles, rel=0.05)
    assert eight.fit_in_ram == one.fit_in_ram > 100
    assert eight.ledger_rows["context_switch"] == 8


def test_unknown_settings_are_clear_errors():
    for call in (lambda: process_tree.tree_view("vm"), lambda: cpu_quota.quota_run(7),
                 lambda: memory_limit.memory_run(5), lambda: density.density_run(3)):
        with pytest.raises(ValueError, match="choose one of"):
            call()


def test_a_system_call_in_a_container_is_the_same_events_as_outside():
    from vlab.lab.oslevel import syscall_cost

    cost = syscall_cost.call_cost()
    assert cost.native == cost.container
    assert cost.native["syscall"] == cost.native["trap"] == 1000
    assert cost.per_call("native") == cost.per_call("container") > 0
