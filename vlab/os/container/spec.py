"""What ``vlab container run`` was asked for: options checked, limits as cgroup files.

A :class:`RunSpec` holds the options of one container exactly as docker-run(1) names
them, each parsed and checked here once, with an error that says what is wrong and how
to fix it.  The resource options become the cgroup v2 interface files of the
container's cgroup (``Documentation/admin-guide/cgroup-v2.rst``), by docker's mapping:

=====================  =========================  =====================================
option                 cgroup file                value written
=====================  =========================  =====================================
``--memory BYTES``     ``memory.max``             the bytes (suffixes b, k, m, g)
``--cpus N``           ``cpu.max``                ``"<N*100000> 100000"`` (quota period)
``--pids-limit N``     ``pids.max``               N (``max`` for -1 or 0: unlimited)
=====================  =========================  =====================================

``--network none`` is the only network: sockets are not part of this kernel yet, so a
container gets a network namespace holding only its loopback interface, and ``bridge``
or ``host`` are refused with that reason.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field

from .errors import ContainerError

CPU_PERIOD_US = 100_000          # docker's --cpu-period default (cgroup-v2.rst: cpu.max)
HOST_CPUS = 1                    # the modeled machine has one hart
HOST_NAME_MAX = 64               # include/uapi/linux/utsname.h (__NEW_UTS_LEN)
NETWORKS = ("none",)
_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")   # RFC 1123
_ENV_NAME = re.compile(r"^[^=\0]+$")


@dataclass(frozen=True)
class Mount:
    """A bind mount ``-v HOST:CTR[:ro]``: a host directory at a path of the container."""

    host: str
    target: str
    read_only: bool = False


@dataclass
class RunSpec:
    """Every option of one container, checked; JSON-able (``asdict``) for config.json."""

    image: str
    command: list[str] = field(default_factory=list)   # CMD given after IMAGE (may be [])
    name: str | None = None
    env: list[str] = field(default_factory=list)       # "K=V", in the order given
    mounts: list[Mount] = field(default_factory=list)
    hostname: str | None = None
    memory: int | None = None                           # bytes
    cpus: float | None = None
    pids_limit: int | None = None                       # None: unlimited
    network: str = "none"
    user: str | None = None
    workdir: str | None = None
    remove: bool = False                                # --rm
    detach: bool = False                                # -d

    def cgroup_limits(self) -> dict[str, str]:
        """The cgroup v2 files to write, by the table of the module docstring."""
        limits = {}
        if self.memory is not None:
            limits["memory.max"] = str(self.memory)
        if self.cpus is not None:
            limits["cpu.max"] = f"{round(self.cpus * CPU_PERIOD_US)} {CPU_PERIOD_US}"
        if self.pids_limit is not None:
            limits["pids.max"] = str(self.pids_limit)
        return limits

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> RunSpec:
        data = dict(data)
        data["mounts"] = [Mount(**m) for m in data.get("mounts", [])]
        return cls(**data)


# ---------------------------------------------------------------- option parsers

def parse_memory(text: str) -> int:
    """``--memory``: bytes, with an optional unit b, k, m or g (docker-run(1))."""
    match = re.fullmatch(r"\s*(\d+)\s*([bkmgBKMG]?)\s*", str(text))
    if not match:
        raise ContainerError(f"invalid --memory {text!r}: give bytes, optionally with a "
                             "unit b, k, m or g (e.g. 64m)")
    value = int(match.group(1)) * _UNITS[match.group(2).lower()]
    if value <= 0:
        raise ContainerError(f"invalid --memory {text!r}: the limit must be positive")
    return value


def parse_cpus(text: str) -> float:
    """``--cpus``: a number of CPUs from 0.01 to the host's CPUs (one hart here)."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ContainerError(f"invalid --cpus {text!r}: give a number such as 0.5") from None
    if not (0.01 <= value <= HOST_CPUS):
        raise ContainerError(f"invalid --cpus {text!r}: the range of CPUs is from 0.01 to "
                             f"{HOST_CPUS:.2f}, as there is only {HOST_CPUS} CPU available")
    return value


def parse_pids_limit(text: str) -> int | None:
    """``--pids-limit``: a positive number of tasks; -1 or 0 mean unlimited (docker)."""
    try:
        value = int(text)
    except (TypeError, ValueError):
        raise ContainerError(f"invalid --pids-limit {text!r}: give a whole number of "
                             "processes (e.g. 20), or -1 for no limit") from None
    if value < -1:
        raise ContainerError(f"invalid --pids-limit {text!r}: use a positive number, or -1 "
                             "for no limit")
    return None if value in (0, -1) else value


def parse_env(items, host_env=None) -> list[str]:
    """``-e K=V`` (``-e K`` copies K from the host's environment if set, as docker)."""
    host_env = os.environ if host_env is None else host_env
    result = []
    for item in items or ():
        name, sep, value = str(item).partition("=")
        if not name or not _ENV_NAME.match(name) or any(c.isspace() for c in name):
            raise ContainerError(f"invalid -e {item!r}: give NAME=VALUE with a name of no "
                                 "spaces (e.g. -e GREETING=hello)")
        if "\0" in value:
            raise ContainerError(f"invalid -e {item!r}: a value cannot hold a NUL byte")
        if sep:
            result.append(f"{name}={value}")
        elif name in host_env:
            result.append(f"{name}={host_env[name]}")
    return result


def parse_volume(text: str) -> Mount:
    """``-v HOSTDIR:CTRDIR[:ro|rw]``: an existing host directory, an absolute target."""
    parts = str(text).split(":")
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        raise ContainerError(f"invalid -v {text!r}: give HOSTDIR:CTRDIR or "
                             "HOSTDIR:CTRDIR:ro")
    host, target = parts[0], parts[1]
    mode = parts[2] if len(parts) == 3 else "rw"
    if mode not in ("ro", "rw"):
        raise ContainerError(f"invalid -v {text!r}: the mode {mode!r} is not ro or rw")
    if not os.path.isdir(host):
        raise ContainerError(f"invalid -v {text!r}: the host directory {host!r} does not "
                             "exist (named volumes are not supported: give a directory)")
    if not target.startswith("/") or "\0" in target:
        raise ContainerError(f"invalid -v {text!r}: the container path {target!r} must be "
                             "absolute, e.g. /data")
    if os.path.normpath(target) == "/" or ".." in target.split("/"):
        raise ContainerError(f"invalid -v {text!r}: the container path must name a "
                             "directory below / without '..'")
    return Mount(os.path.realpath(host), os.path.normpath(target), mode == "ro")


def parse_hostname(text: str) -> str:
    """``--hostname``: dot-separated RFC 1123 labels, at most 64 bytes (uname(2))."""
    name = str(text)
    if (not name or len(name.encode()) > HOST_NAME_MAX
            or not all(_LABEL.match(label) for label in name.split("."))):
        raise ContainerError(f"invalid --hostname {text!r}: use letters, digits and '-' "
                             f"(labels separated by '.'), at most {HOST_NAME_MAX} bytes")
    return name


def parse_network(text: str) -> str:
    if text in NETWORKS:
        return text
    if text in ("bridge", "host") or text:
        raise ContainerError(f"--network {text!r} is not available: sockets are not part "
                             "of this kernel yet, so containers run with --network none "
                             "(a loopback interface only)")
    return "none"


def parse_user(text: str) -> str:
    """``-u UID[:GID]``: numeric ids (the images hold no /etc/passwd to look names up)."""
    if not re.fullmatch(r"\d{1,10}(:\d{1,10})?", str(text)):
        raise ContainerError(f"invalid --user {text!r}: give a numeric UID or UID:GID "
                             "(e.g. 1000:1000)")
    return str(text)


def parse_workdir(text: str) -> str:
    if not str(text).startswith("/") or "\0" in str(text):
        raise ContainerError(f"invalid --workdir {text!r}: give an absolute path")
    return os.path.normpath(text)


def parse_name(text: str) -> str:
    """``--name``: docker's rule ``[a-zA-Z0-9][a-zA-Z0-9_.-]+``."""
    if not re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_.-]{1,127}", str(text)):
        raise ContainerError(f"invalid --name {text!r}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
                             "allowed, at least two characters")
    return str(text)
