"""fork (clone), copy-on-write, waitid, exit, orphans, execve: guest programs in assembly
run as processes of the kernel (Sv32 address spaces on its frame allocator)."""
from __future__ import annotations

from tests.os.guest_asm import call, elf_bytes, run

SIGCHLD, WEXITED, WNOHANG, P_ALL, P_PID = 17, 4, 1, 0, 1
FORK = call("clone", SIGCHLD, 0, 0, 0, 0)
WAIT_ANY = call("waitid", P_ALL, 0, "info", WEXITED, 0)
DATA = "    .data\n    .align 2\ninfo: .space 128\nvar: .word 0\n"


def test_fork_gives_the_child_a_copy_on_write_copy_and_wait_reports_its_status():
    source = f"""
_start:
    la t0, var
    li t1, 1
    sw t1, 0(t0)
{FORK}
    bnez a0, parent
    la t0, var                      # the child writes its copy of var
    li t1, 2
    sw t1, 0(t0)
{call("write", 1, "msg", 6)}
{call("exit", 7)}
parent:
    mv s0, a0                       # the child's pid
{WAIT_ANY}
    la t0, info
    lw s1, 20(t0)                   # si_status: 7
    lw s3, 12(t0)                   # si_pid
    sub s3, s3, s0                  # 0 if it is the child
    la t0, var
    lw s2, 0(t0)                    # still 1 in the parent
    slli s2, s2, 4
    add a0, s1, s2
    add a0, a0, s3
{call("exit_group", "reg:a0")}
    .data
msg: .ascii "child\\n"
{DATA}"""
    done = run(source)
    assert done.result.status == "exit", done.result
    assert (done.result.exit_code, done.stdout) == (7 + 16, b"child\n")
    kernel = done.kernel
    assert kernel.context_switches >= 2 and kernel.calls["clone"] == 1
    assert done.booted.machine.ledger.counts["context_switch"] >= 2
    assert list(kernel.processes) == [1]              # the child was reaped


def test_a_tree_of_children_is_reaped_one_by_one_then_echild():
    source = f"""
_start:
    li s0, 3                        # three children, exiting with 1, 2, 3
    li s1, 0
spawn:
{FORK}
    beqz a0, child
    addi s0, s0, -1
    bnez s0, spawn
reap:
{WAIT_ANY}
    bnez a0, done                   # -ECHILD when none is left
    la t0, info
    lw t1, 20(t0)
    add s1, s1, t1
    j reap
child:
{call("exit", "reg:s0")}
done:
    li t0, -10                      # ECHILD
    bne a0, t0, bad
{call("exit", "reg:s1")}
bad:
{call("exit", 99)}
{DATA}"""
    done = run(source)
    assert done.result.exit_code == 6, done.result


def test_wnohang_returns_at_once_while_the_child_runs():
    source = f"""
_start:
{FORK}
    beqz a0, child
{call("waitid", P_ALL, 0, "info", WEXITED | WNOHANG, 0)}
    la t0, info
    lw s1, 12(t0)                   # si_pid 0: nobody ready
    bnez s1, bad
{WAIT_ANY}
    la t0, info
    lw a0, 20(t0)
{call("exit", "reg:a0")}
child:
{call("nanosleep", "ts", 0)}
{call("exit", 4)}
bad:
{call("exit", 99)}
    .data
    .align 3
ts: .word 0, 0, 1000000, 0          # 1 ms
{DATA}"""
    done = run(source)
    assert done.result.exit_code == 4, done.result


def test_an_orphan_is_adopted_by_init():
    """pid 1 forks C; C forks G and exits; G (now init's child) reports getppid()."""
    source = f"""
_start:
{FORK}
    bnez a0, init_waits
{FORK}
    bnez a0, c_exits
{call("nanosleep", "ts", 0)}        # G: let C die first
{call("getppid")}
{call("exit", "reg:a0")}
c_exits:
{call("exit", 0)}
init_waits:
{WAIT_ANY}                          # C
{WAIT_ANY}                          # G, adopted
    la t0, info
    lw a0, 20(t0)
{call("exit", "reg:a0")}
    .data
    .align 3
ts: .word 0, 0, 1000000, 0
{DATA}"""
    done = run(source)
    assert done.result.exit_code == 1, done.result


def test_execve_replaces_the_program_with_argv_and_envp(tmp_path):
    program = f"""
_start:
    lw t0, 0(sp)                    # argc
    lw a1, 8(sp)                    # argv[1]
    lw t1, 16(sp)                   # envp[0] (argv[2] is NULL)
    lb t2, 0(t1)                    # 'K'
    add s0, t0, t2
{call("write", 1, "reg:a1", 2)}
{call("exit", "reg:s0")}
"""
    path = tmp_path / "prog"
    path.write_bytes(elf_bytes(program))
    path.chmod(0o755)
    source = f"""
_start:
{FORK}
    bnez a0, parent
{call("execve", "path", "argv", "envp")}
{call("exit", 99)}                  # only if execve failed
parent:
{WAIT_ANY}
    la t0, info
    lw a0, 20(t0)
{call("exit", "reg:a0")}
    .data
path: .asciz "/prog"
a0s: .asciz "prog"
a1s: .asciz "hi"
e0s: .asciz "K=V"
    .align 2
argv: .word a0s, a1s, 0
envp: .word e0s, 0
{DATA}"""
    done = run(source, root=tmp_path)
    assert done.result.exit_code == 2 + ord("K"), done.result
    assert done.stdout == b"hi"
    assert done.kernel.calls["execve"] == 1


def test_execve_errors_leave_the_caller_running(tmp_path):
    (tmp_path / "text").write_text("not a program")
    (tmp_path / "text").chmod(0o755)
    source = f"""
_start:
{call("execve", "missing", "argv", 0)}
    mv s0, a0
{call("execve", "text", "argv", 0)}
    mv s1, a0
    li t0, -2                       # ENOENT
    bne s0, t0, bad
    li t0, -8                       # ENOEXEC
    bne s1, t0, bad
{call("execve", "path", 16, 0)}     # argv at an unmapped address: EFAULT
    li t0, -14
    bne a0, t0, bad
{call("exit", 0)}
bad:
{call("exit", 99)}
    .data
missing: .asciz "/nope"
text: .asciz "/text"
path: .asciz "/text"
    .align 2
argv: .word 0
"""
    done = run(source, root=tmp_path)
    assert done.result.exit_code == 0, done.result


def test_fork_exec_and_preemption_agree_on_every_engine(tmp_path):
    """The translators key code by satp: after fork (copy-on-write), exec (a new space
    that may reuse a freed root frame) and timer switches, every engine still runs the
    right process's code."""
    from vlab.isa.engines import ENGINES
    program = f"""
_start:
    li s0, 200000                   # 4 ms each: longer than a slice
spin:
    addi s0, s0, -1
    bnez s0, spin
{call("exit", 3)}
"""
    path = tmp_path / "prog"
    path.write_bytes(elf_bytes(program))
    path.chmod(0o755)
    source = f"""
_start:
    li s1, 4
more:
{FORK}
    bnez a0, counted
{call("execve", "path", "argv", 0)}
{call("exit", 99)}
counted:
    addi s1, s1, -1
    bnez s1, more
    li s2, 0
reap:
{WAIT_ANY}
    bnez a0, done
    la t0, info
    lw t1, 20(t0)
    add s2, s2, t1
    j reap
done:
{call("exit", "reg:s2")}
    .data
path: .asciz "/prog"
    .align 2
argv: .word path, 0
{DATA}"""
    results = {}
    for engine in sorted(set(ENGINES) - {"decode-dispatch"}):
        done = run(source, root=tmp_path, engine=engine)
        results[engine] = (done.result.status, done.result.exit_code,
                           done.result.instructions)
        assert done.kernel.context_switches > 8, engine           # preempted
    assert set(results.values()) == {("exit", 12, results["interp"][2])}, results


def test_execve_passes_arguments_byte_for_byte(tmp_path):
    program = f"""
_start:
    lw a1, 8(sp)                    # argv[1]
    lbu a0, 0(a1)                   # its first byte, whatever the encoding
{call("exit", "reg:a0")}
"""
    path = tmp_path / "prog"
    path.write_bytes(elf_bytes(program))
    path.chmod(0o755)
    source = f"""
_start:
{call("execve", "path", "argv", 0)}
{call("exit", 1)}
    .data
path: .asciz "/prog"
arg1: .byte 0xfe, 0x41, 0
    .align 2
argv: .word path, arg1, 0
"""
    done = run(source, root=tmp_path)
    assert done.result.exit_code == 0xFE, done.result
