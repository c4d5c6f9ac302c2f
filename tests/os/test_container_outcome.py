"""A container's outcome while it runs, after it exits, and when its budget ends it:
three different answers, so a caller can tell "not yet" from a kill."""

from __future__ import annotations

import io

from tests.os.guest_asm import call, elf_bytes
from vlab.os.container.kernelrun import Host, run_container
from vlab.os.container.launch import LaunchPlan
from vlab.os.container.process import ProcessConfig
from vlab.os.fs import ImageLayer, WritableLayer

SPIN_THEN_EXIT = "_start:\n    li s0, {n}\nloop:\n    addi s0, s0, -1\n    bnez s0, loop\n" \
                 + call("exit_group", 7)


def _plan(n: int, budget: int = 0) -> LaunchPlan:
    layer = ImageLayer({"/bin/spin": elf_bytes(SPIN_THEN_EXIT.format(n=n))})
    out = io.BytesIO()
    return LaunchPlan("spin" * 16, [layer], WritableLayer(),
                      ProcessConfig(["/bin/spin"], [], "/", 0, 0, "spin"), [], {}, budget,
                      None, out, out)


def test_a_container_between_time_slices_is_running_not_killed():
    host = Host()
    run = host.start(_plan(20_000))
    host.run(5_000)
    outcome = run.outcome(host)
    assert outcome.running and outcome.stopped_by == "running"
    assert outcome.exit_code is None and not outcome.oom_killed
    host.run(200_000)                                 # the same container goes on ...
    outcome = run.outcome(host)
    assert not outcome.running                        # ... and ends with its own status
    assert (outcome.exit_code, outcome.stopped_by) == (7, "exit")


def test_the_launcher_kills_a_container_its_budget_did_not_finish():
    outcome = run_container(_plan(1_000_000, budget=20_000))
    assert (outcome.exit_code, outcome.stopped_by) == (137, "budget")
    assert not outcome.running
    finished = run_container(_plan(1_000, budget=200_000))
    assert (finished.exit_code, finished.stopped_by) == (7, "exit")
