"""A run of the kernel stopped anywhere can be resumed (vlab/os/trap.py, docstring):
split into pieces at any instruction, it ends exactly like an uninterrupted run (output,
exit status, instruction count, memory.events), across an OOM kill of the running
process, a process exit, a sleep and a pipe block; a run halted on a deadlock halts
again when resumed instead of running the code of a process that is not current."""
from __future__ import annotations

import io

import pytest

from tests.os.guest_asm import call, image
from vlab.isa.machine import Machine
from vlab.os.cgroup import Cgroup
from vlab.os.trap import start_user_program

PAGE = 4096
SIGCHLD, P_ALL, WEXITED, SIGKILL = 17, 0, 4, 9
NEIGHBOUR_STATUS = 3
RAM = 4 << 20                  # small: a fresh machine per split point
FORK = call("clone", SIGCHLD, 0, 0, 0, 0)
WAIT_ANY = call("waitid", P_ALL, 0, "info", WEXITED, 0)

# init forks a hog (OOM-killed while it runs: it is kernel.current) and a neighbour
# that sleeps, spins, writes one byte into a pipe and exits; init blocks reading the
# pipe, echoes the byte, reaps both and exits with the sum of their si_status.
WINDOW = f"""
_start:
{call("pipe2", "fds", 0)}
{FORK}
    beqz a0, hog
{FORK}
    beqz a0, neighbour
    la t0, fds
    lw a0, 0(t0)
{call("read", "reg:a0", "buf", 1)}
{call("write", 1, "buf", 1)}
{WAIT_ANY}
    la t0, info
    lw s1, 20(t0)
{WAIT_ANY}
    la t0, info
    lw s2, 20(t0)
    add a0, s1, s2
{call("exit_group", "reg:a0")}
hog:
{call("mmap2", 0, 256 * PAGE, 3, 0x22, -1, 0)}
    li t1, 256
    li t2, 1
touch:
    sw t2, 0(a0)                    # each page a fresh frame, until memory.max
    li t3, {PAGE}
    add a0, a0, t3
    addi t1, t1, -1
    bnez t1, touch
{call("exit_group", 0)}
neighbour:
{call("nanosleep", "ts", 0)}
    li s1, 300
spin:
    addi s1, s1, -1
    bnez s1, spin
    la t0, fds
    lw a0, 4(t0)
{call("write", "reg:a0", "msg", 1)}
{call("exit_group", NEIGHBOUR_STATUS)}
    .data
    .align 3
ts: .word 0, 0, 20000, 0            # 20 us
fds: .word 0, 0
buf: .word 0
msg: .ascii "N"
    .align 2
info: .space 128
"""


def run_in_pieces(pieces, *, engine: str = "interp", last: int = 1_000_000):
    """Run WINDOW with its processes in a cgroup of 64 pages, stopping after each budget
    in ``pieces``, then to the end: (status, exit code, instret, stdout, memory.events)."""
    root = Cgroup.new_root()
    box = root.create("box")
    box.write_file("memory.max", str(64 * PAGE))
    machine = Machine(engine=engine, ram_size=RAM)
    out = io.BytesIO()
    kernel = start_user_program(machine, image(WINDOW), paging=True, root_cgroup=root,
                                stdout=out, stdin=io.BytesIO(), stderr=io.BytesIO())
    box.attach(kernel.processes[1])
    total = 0
    for budget in pieces:
        result = machine.run(max_instructions=budget)
        total += result.instructions
        if result.status != "budget":
            break
    result = machine.run(max_instructions=last)
    total += result.instructions
    assert total == machine.hart.instret
    return (result.status, result.exit_code, machine.hart.instret, out.getvalue(),
            box.read_file("memory.events"))


@pytest.fixture(scope="module")
def whole():
    done = run_in_pieces([])
    status, code, instret, out, events = done
    assert (status, code, out) == ("exit", SIGKILL + NEIGHBOUR_STATUS, b"N"), done
    assert "oom_kill 1" in events
    return done


def test_a_run_split_at_every_instruction_ends_like_a_whole_run(whole):
    instret = whole[2]
    differ = [k for k in range(1, instret + 1) if run_in_pieces([k]) != whole]
    assert differ == []


@pytest.mark.parametrize("step", [1, 7, 64, 333])
def test_a_run_in_many_small_pieces_ends_like_a_whole_run(whole, step):
    pieces = [step] * (whole[2] // step + 1)
    assert run_in_pieces(pieces) == whole


@pytest.mark.parametrize("engine", ["dbt"])
def test_the_translator_resumes_the_same_way(whole, engine):
    assert run_in_pieces([], engine=engine) == whole
    assert all(run_in_pieces([k], engine=engine) == whole
               for k in range(1, whole[2] + 1, 13))


# -- a run that halts on a deadlock ----------------------------------------------------

# the hog is OOM-killed while init and a neighbour wait on a pipe nobody will write:
# nothing can run or wake -- a deadlock, right after the kill.
DEADLOCK = f"""
_start:
{call("pipe2", "fds", 0)}
{FORK}
    beqz a0, hog
{FORK}
    beqz a0, stuck
stuck:
    la t0, fds
    lw a0, 0(t0)
{call("read", "reg:a0", "fds", 1)}
{call("exit_group", 1)}
hog:
{call("mmap2", 0, 256 * PAGE, 3, 0x22, -1, 0)}
    li t1, 256
touch:
    sw t1, 0(a0)
    li t3, {PAGE}
    add a0, a0, t3
    addi t1, t1, -1
    bnez t1, touch
{call("exit_group", 0)}
    .data
fds: .word 0, 0
"""


@pytest.mark.parametrize("engine", ["interp", "dbt"])
def test_a_deadlock_after_an_oom_kill_halts_again_when_resumed(engine):
    root = Cgroup.new_root()
    box = root.create("box")
    box.write_file("memory.max", str(64 * PAGE))
    machine = Machine(engine=engine, ram_size=RAM)
    kernel = start_user_program(machine, image(DEADLOCK), paging=True, root_cgroup=root,
                                stdout=io.BytesIO(), stdin=io.BytesIO(),
                                stderr=io.BytesIO())
    box.attach(kernel.processes[1])
    first = machine.run(max_instructions=100_000)
    assert first.status == "halt" and "deadlock" in first.message, first
    assert "oom_kill 1" in box.read_file("memory.events")
    assert kernel.current is None and kernel.running is None
    instret = machine.hart.instret
    for _ in range(3):                              # once crashed in trap.save
        again = machine.run(max_instructions=100_000)
        assert (again.status, again.message) == (first.status, first.message)
        assert again.instructions == 0 and machine.hart.instret == instret


def test_a_process_enqueued_after_a_deadlock_runs_when_resumed():
    """The parked kernel reschedules first thing on the next run: a process made
    runnable between runs (as the container host does) is picked."""
    machine = Machine(engine="interp", ram_size=RAM)
    kernel = start_user_program(machine, image(DEADLOCK), paging=True,
                                stdout=io.BytesIO(), stdin=io.BytesIO(),
                                stderr=io.BytesIO())
    assert machine.run(max_instructions=100_000).status == "halt"
    stuck = [p for p in kernel.processes.values() if p.state == "S"]
    assert len(stuck) == 2
    init = kernel.processes[1]
    kernel.send_signal(init, SIGKILL)               # from outside, between runs
    result = machine.run(max_instructions=100_000)
    assert result.status == "exit" and result.exit_code == 128 + SIGKILL, result
