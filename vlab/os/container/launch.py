"""The hand-over from the runtime to the kernel: what to start, and how it ended.

A :class:`LaunchPlan` is everything the kernel needs to start a container's process
tree -- the layers of its root, its writable layer, PID 1's argv/env/directory/user, its
hostname, bind mounts, cgroup limits, the instruction budget and the stdio streams -- and
an :class:`Outcome` is everything the runtime records afterwards.  Keeping the two as
plain data lets ``runtime.py`` (state, life cycle) be read without the kernel, and
``kernelrun.py`` (namespaces, cgroup, mounts, exec) without the state directory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .process import ProcessConfig
from .spec import Mount

#: Guest instructions a container may execute per command unless ``--budget`` says
#: otherwise (about a second of the interpreter's work per 5 million).
DEFAULT_BUDGET = 200_000_000


@dataclass
class LaunchPlan:
    container_id: str
    lowers: list                  # vlab.os.fs layers of the image, topmost first
    upper: object                 # the container's WritableLayer (changed in place)
    process: ProcessConfig
    mounts: list[Mount] = field(default_factory=list)
    limits: dict[str, str] = field(default_factory=dict)    # cgroup file -> value
    budget: int = DEFAULT_BUDGET
    stdin: object = None          # a binary stream, or None for an empty stdin
    stdout: object = None         # binary streams the container's fd 1 and 2 write to
    stderr: object = None


#: ``stopped_by`` of a container whose PID 1 has not ended yet (its host stopped between
#: time slices): no exit code exists, so ``exit_code`` is None -- never confused with a
#: kill (137), which is a real ending.
RUNNING = "running"


@dataclass
class Outcome:
    exit_code: int | None         # None while the container is still running
    stopped_by: str = "exit"      # record.STOP_REASONS, or RUNNING
    oom_killed: bool = False
    instructions: int = 0
    syscalls: int = 0
    guest_ns: int = 0             # modeled time the run took
    detail: str = ""              # e.g. which process the OOM killer chose

    @property
    def running(self) -> bool:
        """The container has not ended: ask again after the host ran longer."""
        return self.stopped_by == RUNNING
