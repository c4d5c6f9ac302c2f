"""Run one student's code confined: resource limits, its own session, nothing left behind.

The autograder runs every submission through :func:`run_confined`.  What confines it:

* **Resource limits** (``setrlimit(2)``, POSIX; inherited by every process it starts):
  CPU seconds, address space, file size, processes, no core files.  ``RLIMIT_NPROC``
  counts *all* processes of the user, so the limit is "what the user runs now plus
  :attr:`Limits.processes`"; Linux does not apply it to root.
* **Wall clock**: past :attr:`Limits.wall_seconds` everything is killed.
* **Its own session and process group** (``setsid``), killed as a whole at the end; then
  every process still carrying this run's tag in its environment
  (:data:`RUN_TAG_VARIABLE`) is killed too, which catches a daemon that left the group
  with ``setsid`` (a process that also clears its environment escapes this sweep; with
  bubblewrap it cannot escape, see below).
* **OS-level confinement where the machine offers it**: when ``bwrap`` (bubblewrap,
  Debian package ``bubblewrap``) is installed and works, the run also gets new user, PID,
  network, IPC and UTS namespaces and no capabilities: no network at all, the whole file
  system read-only except the throwaway working folder (``/tmp``, ``/home``, ``/root``
  and the course folder itself are empty tmpfs), and every process dies with the
  sandbox's PID 1.  Without bwrap the run still has the limits above but it sees the
  network and can write wherever the instructor can: :func:`confinement` says which one
  is in force.

References: setrlimit(2), setsid(2), namespaces(7); bubblewrap(1),
https://github.com/containers/bubblewrap.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

RUN_TAG_VARIABLE = "VLAB_CONFINED_RUN"

# Environment variables the confined run keeps; everything else (tokens, proxies, the
# instructor's secrets) is dropped.
KEPT_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "TZ", "SOURCE_DATE_EPOCH", "PYTHONHASHSEED")

# One thread for numerical libraries: a student's notebook may not fan out over the
# grading machine's cores (and the address-space limit stays meaningful).
SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass(frozen=True)
class Limits:
    """The resources one submission may use (``vlab course autograde`` defaults)."""

    wall_seconds: float = 600.0           # the whole notebook, kernel start-up included
    cpu_seconds: int = 300                # per process (RLIMIT_CPU)
    memory_bytes: int = 4 << 30           # address space per process (RLIMIT_AS)
    file_bytes: int = 64 << 20            # largest file it may write (RLIMIT_FSIZE)
    processes: int = 64                   # more processes than the user runs now
    output_bytes: int = 1 << 20           # notebook outputs kept (see grading_worker)
    result_bytes: int = 64 << 20          # what the grader reads back from the run


@dataclass
class ConfinedRun:
    """What a confined run returned: its exit status, its result channel, and why it ended."""

    returncode: int | None
    result: bytes
    stderr: str
    timed_out: bool
    confinement: str


@cache
def confinement() -> str:
    """``"bubblewrap"`` if ``bwrap`` is installed and can create namespaces here, else
    ``"rlimits"`` (resource limits and process-group clean-up only)."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "rlimits"
    probe = [bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/",
             "--proc", "/proc", "--dev", "/dev", "--", "true"]
    try:
        done = subprocess.run(probe, capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "rlimits"
    return "bubblewrap" if done.returncode == 0 else "rlimits"


def _bubblewrap_prefix(workdir: Path, hidden: Sequence[Path]) -> list[str]:
    """The ``bwrap`` arguments that confine a command to ``workdir`` (see the module doc).
    A hidden folder that holds something the run needs (the Python installation, the
    virtual environment, vlab) is emptied, then those paths are bound back read-only."""
    prefix = [shutil.which("bwrap") or "bwrap", "--unshare-all", "--die-with-parent",
              "--new-session", "--cap-drop", "ALL", "--hostname", "grader",
              "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    for empty in map(Path, ("/tmp", "/home", "/root", "/run", *map(str, hidden))):
        if not empty.is_dir():
            continue
        prefix += ["--tmpfs", str(empty)]
        for needed in _needed_paths():
            if needed.is_relative_to(empty) and needed != empty:
                prefix += ["--ro-bind", str(needed), str(needed)]
    return [*prefix, "--bind", str(workdir), str(workdir), "--chdir", str(workdir), "--"]


def _needed_paths() -> list[Path]:
    """What a confined Python run of vlab reads: the interpreter's installation, the
    virtual environment, the folder vlab is imported from."""
    import vlab

    paths = {Path(sys.base_prefix), Path(sys.prefix), Path(sys.executable).parent,
             Path(vlab.__file__).parent.parent}
    return sorted({path.resolve() for path in paths} | paths)


def _set_limits(limits: Limits) -> Callable[[], None]:
    """The function the child runs before ``exec``: its resource limits."""
    running = _user_process_count()

    def apply() -> None:
        for which, value in ((resource.RLIMIT_CPU, limits.cpu_seconds),
                             (resource.RLIMIT_AS, limits.memory_bytes),
                             (resource.RLIMIT_FSIZE, limits.file_bytes),
                             (resource.RLIMIT_NPROC, running + limits.processes),
                             (resource.RLIMIT_CORE, 0)):
            _, hard = resource.getrlimit(which)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(which, (value, value))
    return apply


def _user_process_count() -> int:
    uid = os.getuid()
    count = 0
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        with contextlib.suppress(OSError):
            if entry.name.isdigit() and entry.stat().st_uid == uid:
                count += 1
    return count


def run_confined(command: Sequence[str], *, workdir: Path, limits: Limits,
                 stdin: bytes = b"", hidden: Sequence[Path] = ()) -> ConfinedRun:
    """Run ``command`` in ``workdir`` (a throwaway folder) under ``limits``.

    The command receives ``stdin``; it reports through the file descriptor whose number
    is in its environment variable ``VLAB_RESULT_FD`` (a private pipe: processes it
    starts do not inherit it unless it lets them), read up to ``limits.result_bytes``.
    ``hidden`` folders are invisible to it under bubblewrap.  Every process it started is
    dead when this returns.
    """
    tag = uuid.uuid4().hex
    mode = confinement()
    read_end, write_end = os.pipe()
    env = {name: os.environ[name] for name in KEPT_ENVIRONMENT if name in os.environ}
    env.update(SINGLE_THREADED, HOME=str(workdir), JUPYTER_RUNTIME_DIR=str(workdir / ".runtime"),
               MPLCONFIGDIR=str(workdir / ".matplotlib"), PYTHONDONTWRITEBYTECODE="1",
               VLAB_RESULT_FD=str(write_end), **{RUN_TAG_VARIABLE: tag})
    argv = list(command)
    if mode == "bubblewrap":
        argv = _bubblewrap_prefix(workdir, hidden) + argv
    process = subprocess.Popen(
        argv, cwd=workdir, env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, pass_fds=(write_end,), start_new_session=True,
        preexec_fn=_set_limits(limits))  # the limits must be set between fork and exec
    os.close(write_end)
    result, stderr = bytearray(), bytearray()
    readers = [threading.Thread(target=_drain, args=(read_end, result, limits.result_bytes)),
               threading.Thread(target=_drain,
                                args=(process.stderr.fileno(), stderr, 1 << 16))]
    for reader in readers:
        reader.start()
    timed_out = False
    try:
        with contextlib.suppress(BrokenPipeError):
            process.stdin.write(stdin)
            process.stdin.close()
        process.wait(timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        kill_everything(process, tag)
        for reader in readers:
            reader.join(timeout=10)
        os.close(read_end)
        process.stderr.close()
    return ConfinedRun(process.returncode, bytes(result), stderr.decode(errors="replace"),
                       timed_out, mode)


def _drain(fd: int, into: bytearray, cap: int) -> None:
    """Read ``fd`` to its end, keeping the first ``cap`` bytes (the rest is discarded)."""
    with contextlib.suppress(OSError):
        while chunk := os.read(fd, 1 << 16):
            if len(into) < cap:
                into += chunk[:cap - len(into)]


def kill_everything(process: subprocess.Popen, tag: str) -> None:
    """Kill ``process``, its process group, and every process carrying ``tag``."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    process.wait()
    for _ in range(20):  # a process may fork while it is swept: sweep until none is left
        if not sweep(tag):
            return
        time.sleep(0.05)


def sweep(tag: str) -> int:
    """SIGKILL every process of this user whose environment holds ``tag``; how many."""
    marker = f"{RUN_TAG_VARIABLE}={tag}".encode()
    killed = 0
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environment = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in environment.split(b"\0"):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(entry.name), signal.SIGKILL)
                killed += 1
    return killed


def python_command(module: str, *args: str) -> list[str]:
    """``python -m module args`` with this interpreter (the course's environment)."""
    return [sys.executable, "-m", module, *args]
