"""The pids controller: ``pids.max`` stops fork/clone with EAGAIN (a fork bomb stops).

Documentation/admin-guide/cgroup-v2.rst, "PID"; kernel/cgroup/pids.c.  Every process
counts in its cgroup and in each ancestor (``pids.current`` is hierarchical).  A fork
is charged before the child exists (``pids_can_fork`` -> ``pids_try_charge``): if any
level would pass its ``pids.max`` the fork fails with -EAGAIN and that level's
``pids.events`` ``max`` counts it (and each ancestor's: the events are hierarchical
unless the ``pids_localevents`` mount option is given, which we do not model).

Organisational moves are not limited: attaching a process to a cgroup charges it
there without checking (``pids_can_attach`` uses ``pids_charge``), so pids.current may
exceed pids.max; only fork is refused.  A process is uncharged when it is reaped
(``pids_release``), not when it becomes a zombie.
"""

from __future__ import annotations

from ..errno import EAGAIN, SyscallError
from .parse import format_flat, format_limit, parse_limit

# include/linux/threads.h: PID_MAX_LIMIT is PID_MAX_DEFAULT (32768) where a long has 4
# bytes, as on rv32; pids_max_write accepts 0..PID_MAX_LIMIT.
PID_MAX_LIMIT = 32768


class PidsController:
    """pids.max/current/peak/events of one cgroup."""

    name = "pids"

    def __init__(self, cgroup):
        self.cgroup = cgroup
        self.current = 0                      # processes here and below
        self.peak = 0
        self.events_max = 0                   # hierarchical
        self.reset()

    def reset(self) -> None:
        self.max: int | None = None

    def _levels(self):
        return [cg.pids for cg in self.cgroup.ancestors()]

    @property
    def effective_max(self) -> int | None:
        """The smallest pids.max of this cgroup and its ancestors (None: no limit)."""
        limits = [level.max for level in self._levels() if level.max is not None]
        return min(limits) if limits else None

    def try_fork(self) -> None:
        """Charge one new process here and up, or raise SyscallError(EAGAIN) naming the
        cgroup whose pids.max it would pass (nothing charged then)."""
        for level in self._levels():
            if level.max is not None and level.current + 1 > level.max:
                for above in level._levels():
                    above.events_max += 1
                raise SyscallError(EAGAIN, f"fork: cgroup {level.cgroup.path} has "
                                   f"{level.current} processes, pids.max is {level.max}")
        self.charge(1)

    def charge(self, count: int = 1) -> None:
        """Charge without a limit check (a process attached to the cgroup)."""
        for level in self._levels():
            level.current += count
            level.peak = max(level.peak, level.current)

    def release(self, count: int = 1) -> None:
        """A process was reaped (or moved away): uncharge here and up."""
        if count > self.current:
            raise ValueError(f"pids release of {count} from cgroup {self.cgroup.path}, "
                             f"which counts only {self.current}")
        for level in self._levels():
            level.current -= count

    # -- interface files --------------------------------------------------------------

    def read_max(self) -> str:
        return format_limit(self.max)

    def write_max(self, text: str) -> None:
        self.max = parse_limit("pids.max", text, low=0, high=PID_MAX_LIMIT)

    def read_current(self) -> str:
        return f"{self.current}\n"

    def read_peak(self) -> str:
        return f"{self.peak}\n"

    def read_events(self) -> str:
        return format_flat([("max", self.events_max)])
