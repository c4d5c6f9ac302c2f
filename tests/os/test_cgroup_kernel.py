"""cgroups enforced on real guest processes of the kernel: a fork bomb stops at pids.max
(fork returns -EAGAIN), a memory hog is OOM-killed alone inside its cgroup, two busy
processes under cpu.max get their quotas of guest time."""
from __future__ import annotations

import io

from tests.os.guest_asm import call, image
from vlab.isa.machine import Machine
from vlab.os.cgroup import Cgroup
from vlab.os.trap import start_user_program

SIGCHLD, WEXITED, P_ALL = 17, 4, 0
EAGAIN, SIGKILL, CLD_KILLED = 11, 9, 2
FORK = call("clone", SIGCHLD, 0, 0, 0, 0)
WAIT_ANY = call("waitid", P_ALL, 0, "info", WEXITED, 0)
DATA = "    .data\n    .align 2\ninfo: .space 128\n"
PAGE = 4096
MS = 1_000_000


def start(source: str, root: Cgroup, **kwargs):
    """The program as init of a kernel whose cgroup tree is ``root``."""
    machine = Machine(engine="interp")
    out = io.BytesIO()
    kernel = start_user_program(machine, image(source), paging=True, root_cgroup=root,
                                stdout=out, stdin=io.BytesIO(), stderr=io.BytesIO(), **kwargs)
    return machine, kernel


def test_fork_bomb_stops_at_pids_max():
    source = f"""
_start:
    li s0, 0                        # forks that worked
again:
{FORK}
    beqz a0, child
    bltz a0, refused
    addi s0, s0, 1
    j again
child:
{call("exit", 0)}                   # a zombie until reaped: still counted in pids
refused:
    li t0, -{EAGAIN}
    bne a0, t0, bad
{call("exit_group", "reg:s0")}
bad:
{call("exit_group", 99)}
{DATA}"""
    root = Cgroup.new_root()
    box = root.create("box")
    box.write_file("pids.max", "5")
    machine, kernel = start(source, root)
    box.attach(kernel.processes[1])            # init into the box before it runs
    result = machine.run(max_instructions=2_000_000)
    assert result.status == "exit" and result.exit_code == 4, result   # 1 + 4 = 5
    assert box.pids.events_max == 1 and root.pids.events_max == 1


def test_memory_hog_is_oom_killed_alone():
    touch_pages = 256
    source = f"""
_start:
{FORK}
    beqz a0, hog
{WAIT_ANY}
    la t0, info
    lw a0, 8(t0)                    # si_code: CLD_KILLED
    lw a1, 20(t0)                   # si_status: the signal
    slli a0, a0, 4
    add a0, a0, a1                  # 16 * CLD_KILLED + SIGKILL
{call("exit_group", "reg:a0")}
hog:
{call("mmap2", 0, touch_pages * PAGE, 3, 0x22, -1, 0)}
    li t1, {touch_pages}
    li t2, 1
touch:
    sw t2, 0(a0)                    # each page faults in a fresh zeroed frame
    li t3, {PAGE}
    add a0, a0, t3
    addi t1, t1, -1
    bnez t1, touch
{call("exit_group", 0)}
{DATA}"""
    root = Cgroup.new_root()
    box = root.create("box")
    box.write_file("memory.max", str(64 * PAGE))
    machine, kernel = start(source, root)
    box.attach(kernel.processes[1])
    result = machine.run(max_instructions=3_000_000)
    assert result.status == "exit", result
    assert result.exit_code == 16 * CLD_KILLED + SIGKILL, result      # init survived
    events = dict(line.split() for line in box.read_file("memory.events").splitlines())
    assert events["oom_kill"] == "1" and int(events["oom"]) >= 1
    assert box.memory.current_pages <= 64


def test_two_busy_cgroups_get_their_cpu_max_quotas():
    source = f"""
_start:
{FORK}
spin:
    j spin                          # parent and child: busy forever
{DATA}"""
    root = Cgroup.new_root()
    slow, fast = root.create("slow"), root.create("fast")
    slow.write_file("cpu.max", "2000 10000")              # 20% of the CPU
    fast.write_file("cpu.max", "5000 10000")              # 50%
    machine, kernel = start(source, root)
    slow.attach(kernel.processes[1])
    machine.run(max_instructions=5_000)                    # until the fork
    fast.attach(kernel.processes[2])                       # the child into the other
    start_ns = kernel.now_ns()
    used = {cg.name: cg.cpu.usage_ns for cg in (slow, fast)}
    result = machine.run(max_instructions=20_000_000)
    assert result.status == "budget", result
    elapsed = kernel.now_ns() - start_ns
    assert elapsed >= 250 * MS                             # the CPU idled 30% of the time
    for cg, want in ((slow, 0.20), (fast, 0.50)):
        share = (cg.cpu.usage_ns - used[cg.name]) / elapsed
        assert abs(share - want) <= 0.05 * want, (cg.name, share, want)
    assert slow.cpu.nr_throttled >= 20 and fast.cpu.nr_throttled >= 20
