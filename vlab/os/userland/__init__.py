"""The vlab userland: a shell, a coreutils subset and an init, in C, for the kernel.

One small C file per program in ``src/`` (students read them), linked statically with
musl libc by the pinned Zig toolchain (build.py):

* ``sh`` -- a POSIX-style shell: pipes, redirections, ``;`` ``&&`` ``||`` ``&``,
  variables, quotes, ``$((...))``, if/while/until/for, ``cd exit export wait read``
  (src/sh.c says what is left out);
* ``echo cat ls ps kill sleep hostname id env mkdir rm touch wc yes true false head
  grep test`` (also ``[``) -- the commands of the same names, a subset of their options,
  busybox formats;
* ``init`` -- PID 1: mounts /proc, sets the hostname (-H), runs a command or /etc/rc and
  the shell, passes SIGTERM on, reaps orphans, exits with the command's status.

They use only POSIX calls (fork, execve, wait4, pipe2, dup3, openat, getdents64...),
so the same sources run on Linux (``target='native'``) and on the vlab kernel; the tests
run the same scripts on both and compare the bytes (tests/os/test_userland_*.py).

``build_userland(out_dir=None, target='riscv32') -> {name: path}`` compiles them (cached
by content); ``userland_files() -> {"/bin/sh": bytes, ..., "/sbin/init": bytes}`` is a
root file system's worth of executables, with /etc/passwd and /etc/group.
"""

from .build import (
    ALIASES,
    ETC_FILES,
    PROGRAMS,
    SOURCE_DIR,
    UserlandBuildError,
    build_userland,
    native_supported,
    userland_files,
)

__all__ = ["ALIASES", "ETC_FILES", "PROGRAMS", "SOURCE_DIR", "UserlandBuildError", "build_userland",
           "native_supported", "userland_files"]
