"""Signals: user handlers and sigreturn, default actions, SIGCHLD, a fault's signal
caught, -EINTR, and who may signal whom across PID namespaces."""
from __future__ import annotations

from tests.os.guest_asm import call, run

SIGKILL, SIGUSR1, SIGSEGV, SIGTERM, SIGCHLD, SIGSTOP = 9, 10, 11, 15, 17, 19
CLONE_NEWPID, CLONE_NEWUTS = 0x2000_0000, 0x0400_0000
WEXITED, P_ALL = 4, 0
FORK = call("clone", SIGCHLD, 0, 0, 0, 0)
WAIT_ANY = call("waitid", P_ALL, 0, "info", WEXITED, 0)
DATA = """    .data
    .align 3
info: .space 128
flag: .word 0
ts: .word 1, 0, 0, 0               # 1 s
short: .word 0, 0, 1000000, 0      # 1 ms
"""
HANDLER = f"""
handler:                            # a0 = signal: flag += signal, print 'H'
    la t0, flag
    lw t1, 0(t0)
    add t1, t1, a0
    sw t1, 0(t0)
    mv s11, ra
{call("write", 1, "hmsg", 1)}
    mv ra, s11
    ret
hmsg: .ascii "H"
    .align 2
    .data
act: .word handler, 0, 0, 0, 0     # struct sigaction: handler, flags, restorer, mask
    .text
"""


def status_of_child() -> str:
    """Lines that leave si_code * 100 + si_status of the reaped child in a0."""
    return f"""{WAIT_ANY}
    la t0, info
    lw t1, 8(t0)
    li t2, 100
    mul t1, t1, t2
    lw a0, 20(t0)
    add a0, a0, t1
"""


def test_a_handler_runs_and_sigreturn_restores_the_interrupted_context():
    source = f"""
_start:
{call("rt_sigaction", SIGUSR1, "act", 0, 8)}
    li s1, 1234                     # callee-saved: must survive the handler
{call("getpid")}
{call("kill", "reg:a0", SIGUSR1)}
    mv s2, a0                       # kill's own result, restored by sigreturn: 0
    la t0, flag
    lw a0, 0(t0)                    # 10 if the handler ran once
    li t1, 1234
    bne s1, t1, bad
    bnez s2, bad
{call("exit", "reg:a0")}
bad:
{call("exit", 99)}
{HANDLER}
{DATA}"""
    done = run(source)
    assert (done.result.exit_code, done.stdout) == (SIGUSR1, b"H"), done.result
    assert done.kernel.calls["rt_sigreturn"] == 1


def test_the_default_action_kills_and_the_parent_sees_the_signal():
    source = f"""
_start:
{FORK}
    bnez a0, parent
{call("getpid")}
{call("kill", "reg:a0", SIGTERM)}
{call("exit", 0)}                   # never reached
parent:
{status_of_child()}
{call("exit", "reg:a0")}
{DATA}"""
    done = run(source)
    assert done.result.exit_code == (2 * 100 + SIGTERM) % 256, done.result   # CLD_KILLED


def test_sigchld_reaches_a_parent_handler():
    source = f"""
_start:
{call("rt_sigaction", SIGCHLD, "act", 0, 8)}
{FORK}
    beqz a0, child
{WAIT_ANY}
    la t0, flag
    lw a0, 0(t0)                    # SIGCHLD = 17 once the handler ran
{call("exit", "reg:a0")}
child:
{call("exit", 0)}
{HANDLER}
{DATA}"""
    done = run(source)
    assert (done.result.exit_code, done.stdout) == (SIGCHLD, b"H"), done.result


def test_a_segv_handler_catches_a_bad_store():
    source = f"""
_start:
{call("rt_sigaction", SIGSEGV, "act", 0, 8)}
    li t0, 0x10
    sw t0, 0(t0)                    # no mapping: SIGSEGV
{call("exit", 1)}
handler:
{call("exit", "reg:a0")}            # exit with the signal number
    .data
act: .word handler, 0, 0, 0, 0
{DATA}"""
    done = run(source)
    assert done.result.exit_code == SIGSEGV, done.result


def test_an_uncaught_fault_in_a_child_is_reported_to_the_parent():
    source = f"""
_start:
{FORK}
    bnez a0, parent
    li t0, 0x10
    sw t0, 0(t0)
parent:
{status_of_child()}
{call("exit", "reg:a0")}
{DATA}"""
    done = run(source)
    assert done.result.exit_code == (3 * 100 + SIGSEGV) % 256, done.result   # CLD_DUMPED


def test_a_signal_interrupts_a_sleep_with_eintr():
    source = f"""
_start:
{call("rt_sigaction", SIGUSR1, "act", 0, 8)}
{FORK}
    bnez a0, parent
{call("nanosleep", "ts", "rem")}    # 1 s, interrupted after 1 ms
    li t0, -4                       # -EINTR
    bne a0, t0, slept
    la t0, rem                      # about 0.999 s left
    lw t1, 8(t0)
    li t2, 990000000
    blt t1, t2, slept
{call("exit", 3)}
slept:
{call("exit", 9)}
parent:
    mv s0, a0
{call("nanosleep", "short", 0)}
{call("kill", "reg:s0", SIGUSR1)}
{status_of_child()}
{call("exit", "reg:a0")}
{HANDLER}
{REM}
{DATA}"""
    done = run(source)
    assert done.result.exit_code == 100 + 3, done.result          # CLD_EXITED, 3
    assert done.kernel.now_ns() < 500_000_000                   # not a whole second


REM = "    .data\n    .align 3\nrem: .space 16\n"


def test_stop_and_nothing_left_to_run_is_a_deadlock():
    source = f"""
_start:
{FORK}
    bnez a0, parent
{call("getpid")}
{call("kill", "reg:a0", SIGSTOP)}
{call("exit", 0)}
parent:
{WAIT_ANY}
{call("exit", 0)}
{DATA}"""
    done = run(source)
    assert done.result.status == "halt", done.result
    message = done.result.message
    assert "deadlock" in message and "pid 2" in message and "stopped" in message
    assert "pid 1" in message and "wait4 of 1" in message


def test_inside_a_pid_namespace_only_its_processes_are_visible():
    """The child of clone(CLONE_NEWPID) is pid 1 there, sees no parent (getppid 0), and
    cannot name the process outside (kill -> ESRCH)."""
    source = f"""
_start:
{call("clone", CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0)}
    bnez a0, parent
{call("getpid")}
    mv s0, a0                       # 1
{call("getppid")}
    mv s1, a0                       # 0
{call("kill", 2, 0)}                # nobody is 2 in here
    mv s2, a0                       # -ESRCH (-3)
    li t0, 1
    bne s0, t0, bad
    bnez s1, bad
    li t0, -3
    bne s2, t0, bad
{call("exit", 5)}
bad:
{call("exit", 99)}
parent:
    mv s0, a0                       # the child's pid outside: 2
{status_of_child()}
    li t0, 2
    bne s0, t0, bad
{call("exit", "reg:a0")}
{DATA}"""
    done = run(source)
    assert done.result.exit_code == 100 + 5, done.result


def test_kill_9_of_a_namespace_init_from_inside_ends_the_namespace():
    source = f"""
_start:
{call("clone", CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0)}
    bnez a0, host
{FORK}                              # container init forks a worker
    bnez a0, ns_init
{call("kill", 1, SIGTERM)}          # dropped: init has no handler for it
{call("kill", 1, SIGKILL)}          # the issue's rule: ends the container
{call("nanosleep", "ts", 0)}
{call("exit", 1)}
ns_init:
{call("nanosleep", "ts", 0)}
{call("exit", 2)}
host:
{status_of_child()}
{call("exit", "reg:a0")}
{DATA}"""
    done = run(source)
    assert done.result.exit_code == (2 * 100 + SIGKILL) % 256, done.result
    assert list(done.kernel.processes) == [1]      # the worker went with it


def test_a_uts_namespace_has_its_own_hostname():
    source = f"""
_start:
{call("clone", CLONE_NEWUTS | SIGCHLD, 0, 0, 0, 0)}
    bnez a0, host
{call("sethostname", "name", 3)}
{call("uname", "uts")}
{call("write", 1, "node", 3)}
{call("exit", 0)}
host:
{WAIT_ANY}
{call("uname", "uts")}
{call("write", 1, "node", 4)}
{call("exit", 0)}
    .data
name: .ascii "box"
uts: .space 65
node: .space 325
{DATA}"""
    done = run(source)
    assert done.stdout == b"boxvlab", done.result


def test_sigsuspend_waits_for_a_signal_and_restores_the_mask():
    source = f"""
_start:
{call("rt_sigaction", SIGUSR1, "act", 0, 8)}
{call("rt_sigprocmask", 0, "usr1", 0, 8)}       # block SIGUSR1
{FORK}
    bnez a0, parent
{call("rt_sigsuspend", "empty", 8)}             # unblocked only while suspended
    li t0, -4
    bne a0, t0, bad
{call("rt_sigprocmask", 0, 0, "old", 8)}
    la t0, old
    lw t1, 0(t0)                    # SIGUSR1 blocked again: bit 9
    li t2, 0x200
    bne t1, t2, bad
    la t0, flag
    lw a0, 0(t0)
{call("exit", "reg:a0")}
bad:
{call("exit", 99)}
parent:
    mv s0, a0
{call("nanosleep", "short", 0)}
{call("kill", "reg:s0", SIGUSR1)}
{status_of_child()}
{call("exit", "reg:a0")}
{HANDLER}
    .data
    .align 3
usr1: .word 0x200, 0
empty: .word 0, 0
old: .word 0, 0
{DATA}"""
    done = run(source)
    assert done.result.exit_code == 100 + SIGUSR1, done.result
    assert done.stdout == b"H"


def test_a_parent_sees_its_child_stop_continue_and_exit():
    wstopped, wcontinued, sigcont = 2, 8, 18
    source = f"""
_start:
{FORK}
    bnez a0, parent
{call("getpid")}
{call("kill", "reg:a0", SIGSTOP)}
{call("exit", 4)}
parent:
    mv s0, a0
{call("waitid", 0, 0, "info", wstopped, 0)}
    la t0, info
    lw s1, 8(t0)                    # CLD_STOPPED 5
    lw s2, 20(t0)                   # SIGSTOP 19
{call("kill", "reg:s0", sigcont)}
{call("waitid", 0, 0, "info", wcontinued, 0)}
    la t0, info
    lw s3, 8(t0)                    # CLD_CONTINUED 6
{status_of_child()}                 # 104: exited 4
    li t0, 5
    bne s1, t0, bad
    li t0, 19
    bne s2, t0, bad
    li t0, 6
    bne s3, t0, bad
{call("exit", "reg:a0")}
bad:
{call("exit", 99)}
{DATA}"""
    done = run(source)
    assert done.result.exit_code == 104, done.result


def test_sa_restorer_is_where_the_handler_returns():
    sa_restorer = 0x0400_0000
    source = f"""
_start:
{call("rt_sigaction", SIGUSR1, "ract", "old", 8)}
{call("rt_sigaction", SIGUSR1, 0, "old", 8)}    # read it back
{call("getpid")}
{call("kill", "reg:a0", SIGUSR1)}
    la t0, old
    lw t1, 4(t0)                    # flags kept
    li t2, {sa_restorer}
    bne t1, t2, bad
    la t0, restored
    lw a0, 0(t0)                    # 1: the restorer ran
    la t0, flag
    lw t1, 0(t0)
    add a0, a0, t1                  # + 10: the handler ran
{call("exit", "reg:a0")}
bad:
{call("exit", 99)}
myrestore:
    la t0, restored
    li t1, 1
    sw t1, 0(t0)
{call("rt_sigreturn")}
{HANDLER}
    .data
    .align 2
ract: .word handler, {sa_restorer}, myrestore, 0, 0
old: .space 20
restored: .word 0
{DATA}"""
    done = run(source)
    assert done.result.exit_code == 11, done.result


def test_a_bad_sigreturn_frame_is_a_forced_segv():
    source = f"""
_start:
{FORK}
    bnez a0, parent
    li sp, 0x10                     # no frame there
{call("rt_sigreturn")}
{call("exit", 1)}
parent:
{status_of_child()}
{call("exit", "reg:a0")}
{DATA}"""
    done = run(source)
    assert done.result.exit_code == (3 * 100 + SIGSEGV) % 256, done.result
