"""One container's record: who it is, what it runs, and where it is in its life.

Docker's life cycle (docker-ps(1), ``State.Status``) with the states this runtime can
reach::

    create --> created --start--> running --exit/stop/OOM/budget--> exited --rm--> (gone)
                  \\________________________________________________________/ rm

``running`` is only ever seen while a ``vlab`` command is executing the container (our
kernel lives in that one Python process); when the command ends the container is
``exited`` again, its exit code, the reason it stopped and its writable layer recorded.

The record is the ``config.json`` of its directory (``statedir.py``).  ``inspect``
shows it in docker's shape (``Id``, ``Name``, ``State``, ``Config``, ``HostConfig``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from .errors import StateError
from .spec import CPU_PERIOD_US, RunSpec

STATES = ("created", "running", "exited")
#: Why an exited container stopped: its PID 1 exited; ``vlab container stop``; the
#: memory cgroup's OOM killer (exit 137); the instruction budget of the command ran out
#: (a SIGKILL from the runtime, exit 137, like ``docker stop`` after its grace period).
STOP_REASONS = ("exit", "stop", "oom", "budget", "error")


def container_id(serial: int, spec: RunSpec) -> str:
    """64 hex digits, like docker's ids; from the creation order and the options, so
    the same sequence of commands on an empty state directory gives the same ids."""
    text = json.dumps([serial, spec.to_json()], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class ContainerRecord:
    id: str
    name: str
    serial: int                     # creation order (ps sorts by it; no wall clock)
    spec: RunSpec
    image_id: str = ""              # the image's manifest digest when created
    entrypoint: list[str] = field(default_factory=list)   # what PID 1 execs
    env: list[str] = field(default_factory=list)          # image Env + -e, in order
    workdir: str = "/"
    user: str = "0:0"
    hostname: str = ""
    state: str = "created"
    exit_code: int | None = None
    stopped_by: str | None = None
    oom_killed: bool = False
    runs: int = 0                   # how many times it was started (start + exec)
    instructions: int = 0           # guest instructions its processes executed
    error: str = ""

    @property
    def short_id(self) -> str:
        return self.id[:12]

    def to_json(self) -> dict:
        data = asdict(self)
        data["spec"] = self.spec.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict, where: str = "config.json") -> ContainerRecord:
        try:
            data = dict(data)
            data["spec"] = RunSpec.from_json(data["spec"])
            record = cls(**data)
        except (KeyError, TypeError, ValueError) as exc:
            raise StateError(f"{where} is not a container record ({exc}); remove that "
                             "directory") from None
        if record.state not in STATES:
            raise StateError(f"{where}: unknown state {record.state!r}")
        return record

    def inspect(self) -> dict:
        """docker inspect's shape (the fields this runtime has)."""
        spec = self.spec
        return {
            "Id": self.id,
            "Name": "/" + self.name,
            "Image": self.image_id,
            "State": {"Status": self.state, "Running": self.state == "running",
                      "OOMKilled": self.oom_killed, "ExitCode": self.exit_code or 0,
                      "StoppedBy": self.stopped_by, "Error": self.error,
                      "Instructions": self.instructions},
            "Config": {"Image": spec.image, "Hostname": self.hostname, "Env": self.env,
                       "Cmd": spec.command or None, "Entrypoint": self.entrypoint,
                       "WorkingDir": self.workdir, "User": self.user},
            "HostConfig": {"Memory": spec.memory or 0,
                           "NanoCpus": int(round((spec.cpus or 0) * 1e9)),
                           "CpuPeriod": CPU_PERIOD_US if spec.cpus else 0,
                           "PidsLimit": spec.pids_limit,
                           "Binds": [f"{m.host}:{m.target}" + (":ro" if m.read_only else "")
                                     for m in spec.mounts],
                           "NetworkMode": spec.network, "AutoRemove": spec.remove},
            "CgroupLimits": spec.cgroup_limits(),
            "RunCount": self.runs,
        }
