"""A static musl program on the kernel: malloc, stdio, environment, a signal handler
(raise -> tkill -> handler -> rt_sigreturn), a sleep in modeled time, fork and waitpid
(clone, waitid), uname -- the calls musl's riscv32 port really issues."""
from __future__ import annotations

import pytest

from vlab.isa.runtime import compile_c, find_compiler
from vlab.os.boot import run_program

pytestmark = [pytest.mark.toolchain,
              pytest.mark.skipif(find_compiler() is None, reason="needs the pinned ziglang")]

PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <time.h>
#include <sys/wait.h>
#include <sys/utsname.h>

static volatile int got;
static void on_usr1(int sig) { got = sig; }

int main(int argc, char **argv) {
    char *buf = malloc(100000);
    strcpy(buf, "heap");
    printf("%s %s %d\n", buf, getenv("COURSE"), argc);
    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
    printf("handler %d\n", got);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    usleep(20000);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (long)((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000);
    printf("slept %ld ms\n", ms);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) { printf("child of %d\n", getppid()); exit(42); }
    int status;
    waitpid(pid, &status, 0);
    printf("child %d exited %d\n", pid, WEXITSTATUS(status));
    struct utsname u;
    uname(&u);
    printf("%s\n", u.nodename);
    return 3;
}
"""


def test_a_musl_program_uses_the_kernels_process_calls(tmp_path):
    source = tmp_path / "prog.c"
    source.write_text(PROGRAM)
    elf = compile_c([source], tmp_path / "prog.elf", libc="musl")
    done = run_program(elf, max_instructions=20_000_000, envp=["COURSE=vlab"])
    assert done.exit_code == 3, done.result
    assert done.stdout.decode().splitlines() == [
        "heap vlab 1", "handler 10", "slept 20 ms", "child of 1", "child 2 exited 42", "vlab"]
    calls = done.booted.kernel.calls
    assert calls["clone"] == 1 and calls["rt_sigreturn"] == 1 and calls["waitid"] >= 1
    assert not done.booted.kernel.unknown


SPAWN_PROGRAM = r"""
#include <stdio.h>
#include <unistd.h>
#include <spawn.h>
#include <sys/wait.h>
extern char **environ;
int main(int argc, char **argv) {
    if (argc > 1) { printf("spawned %s pid %d\n", argv[1], getpid()); return 9; }
    int fd[2];
    pipe(fd);
    pid_t pid = fork();
    if (pid == 0) {                      /* reads until the writer closes: blocks */
        close(fd[1]);
        char buf[64]; int n, total = 0;
        while ((n = read(fd[0], buf, sizeof buf)) > 0) total += n;
        printf("child read %d\n", total);
        fflush(stdout);
        _exit(total & 0xff);
    }
    close(fd[0]);
    for (int i = 0; i < 100; i++) write(fd[1], "0123456789", 10);
    close(fd[1]);
    int st;
    waitpid(pid, &st, 0);
    printf("child status %d\n", WEXITSTATUS(st));
    pid_t sp;
    char *args[] = {"/prog", "x", 0};
    int rc = posix_spawn(&sp, "/prog", 0, 0, args, environ);   /* CLONE_VM|CLONE_VFORK */
    waitpid(sp, &st, 0);
    printf("spawn rc %d status %d\n", rc, WEXITSTATUS(st));
    return 0;
}
"""


def test_pipes_block_the_reader_and_posix_spawn_vforks_and_execs(tmp_path):
    source = tmp_path / "prog.c"
    source.write_text(SPAWN_PROGRAM)
    root = tmp_path / "root"
    root.mkdir()
    elf = compile_c([source], root / "prog", libc="musl")
    elf.chmod(0o755)
    done = run_program(elf, max_instructions=20_000_000, root=root)
    assert done.exit_code == 0, done.result
    assert done.stdout.decode().splitlines() == [
        "child read 1000", "child status 232", "spawned x pid 3", "spawn rc 0 status 9"]
    assert done.booted.kernel.calls["execve"] == 1


def test_thread_local_variables_get_their_initial_values(tmp_path):
    """musl finds the PT_TLS segment through AT_PHDR/AT_PHNUM in the auxiliary vector."""
    source = tmp_path / "tls.c"
    source.write_text('#include <stdio.h>\nstatic __thread int x = 5;\n'
                      'static __thread char buf[16] = "tls-init";\n'
                      'int main(void) { x++; printf("%d %s\\n", x, buf); return 0; }\n')
    done = run_program(compile_c([source], tmp_path / "tls.elf", libc="musl"),
                       max_instructions=5_000_000)
    assert (done.stdout, done.exit_code) == (b"6 tls-init\n", 0), done.result


def test_alarm_and_an_interval_timer_interrupt_pause(tmp_path):
    """alarm(1) then pause(); then a 100 ms ITIMER_REAL three more times: SIGALRM from
    the kernel's timers, pause (ppoll) ends with EINTR even though musl's signal() sets
    SA_RESTART (signal(7)), and the run takes 1.3 s of modeled time, not of instructions."""
    source = tmp_path / "alarm.c"
    source.write_text(r"""
#include <stdio.h>
#include <signal.h>
#include <unistd.h>
#include <sys/time.h>
static volatile int n;
static void on_alarm(int s) { n++; }
int main(void) {
    signal(SIGALRM, on_alarm);
    alarm(1);
    pause();
    printf("alarm %d\n", n);
    struct itimerval it = {{0, 100000}, {0, 100000}};
    setitimer(ITIMER_REAL, &it, 0);
    while (n < 4) pause();
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, 0);
    printf("ticks %d\n", n);
    return 0;
}
""")
    done = run_program(compile_c([source], tmp_path / "alarm.elf", libc="musl"),
                       max_instructions=5_000_000)
    assert (done.stdout, done.exit_code) == (b"alarm 1\nticks 4\n", 0), done.result
    kernel = done.booted.kernel
    assert kernel.now_ns() >= 1_300_000_000 and done.result.instructions < 100_000
