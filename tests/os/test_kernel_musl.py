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
