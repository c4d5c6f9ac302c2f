"""The io controller: ``io.max`` bandwidth and IOPS limits on a block device, ``io.stat``.

Documentation/admin-guide/cgroup-v2.rst, "IO"; the mechanism is block/blk-throttle.c:
for each device and direction a cgroup may have a bytes-per-second (``rbps``/``wbps``)
and an operations-per-second (``riops``/``wiops``) limit; an I/O past the limit is
*delayed*, not refused, and "temporary bursts are allowed".

Each limit is a token bucket in modeled time (guest nanoseconds): tokens accrue at the
limit's rate up to one ``SLICE_NS`` worth (blk-throttle's 100 ms ``throtl_slice``: the
allowed burst); an I/O takes ``bytes`` tokens from the bps bucket and one from the iops
bucket.  If there are not enough, it waits until the bucket has accrued them, and I/Os
behind it queue after it (FIFO).  ``delay_ns(now_ns, nbytes, write)`` returns that wait;
the block layer (the kernel) sleeps the process for it.  The limits of every ancestor
apply: the wait is the longest over the levels and the buckets.

Simplified, as a model: every bucket of every level is charged at once for an I/O
(Linux charges each bucket when the bio is dispatched from that level, after the waits
of the levels below); tokens are counted exactly in integers (token x 10^9 per ns).
"""

from __future__ import annotations

from ..errno import ENODEV, ERANGE
from .parse import MAX, invalid, parse_nested, parse_uint

SLICE_NS = 100_000_000                        # blk-throttle throtl_slice (HZ/10)
U64_MAX = (1 << 64) - 1                       # the limits are u64 (sscanf %llu)
NS_PER_S = 1_000_000_000
LIMIT_KEYS = ("rbps", "wbps", "riops", "wiops")
STAT_KEYS = ("rbytes", "wbytes", "rios", "wios", "dbytes", "dios")
IO_MAX_ACCEPTED = ("'MAJ:MIN KEY=VALUE ...' with KEY one of rbps, wbps, riops, wiops and "
                   "VALUE a positive number or 'max' (e.g. '254:0 rbps=1048576 wiops=100')")


class TokenBucket:
    """``rate`` tokens per second, at most ``rate * SLICE_NS`` saved up (the burst)."""

    def __init__(self, rate: int):
        self.rate = rate
        self.capacity = rate * SLICE_NS       # in token*ns units (tokens x 10^9)
        self.level = self.capacity            # a fresh limit starts with a full burst
        self.time = 0                         # when ``level`` was computed (may be ahead)

    def take(self, now_ns: int, tokens: int) -> int:
        """Take ``tokens`` at ``now_ns``; how long (ns) the I/O must wait for them."""
        start = max(now_ns, self.time)
        self.level = min(self.capacity, self.level + (start - self.time) * self.rate)
        self.time = start
        need = tokens * NS_PER_S
        if self.level >= need:
            self.level -= need
            return start - now_ns
        wait = -(-(need - self.level) // self.rate)        # ceil: enough tokens by then
        self.time = start + wait
        self.level = self.level + wait * self.rate - need  # what the wait left over
        return self.time - now_ns


class IoController:
    """io.max and io.stat of one cgroup, per block device number (major, minor)."""

    name = "io"

    def __init__(self, cgroup):
        self.cgroup = cgroup
        self.stats: dict[tuple[int, int], dict[str, int]] = {}   # this cgroup and below
        self.reset()

    def reset(self) -> None:
        self.limits: dict[tuple[int, int], dict[str, int | None]] = {}
        self.buckets: dict[tuple[tuple[int, int], str], TokenBucket] = {}

    def _levels(self):
        return [cg.io for cg in self.cgroup.ancestors()]

    @property
    def max(self) -> dict[tuple[int, int], dict[str, int | None]]:
        """io.max as numbers: {(major, minor): {rbps, wbps, riops, wiops: rate or None}}."""
        return {dev: dict(limits) for dev, limits in self.limits.items()}

    def _device(self, dev):
        """``dev`` as (major, minor); None: the one registered block device (None if
        there is none: nothing to limit or count)."""
        if dev is not None:
            return tuple(dev)
        devices = self.cgroup.root.io_devices
        if len(devices) > 1:
            raise ValueError("io: name the device (major, minor); the kernel registered "
                             f"{len(devices)} block devices")
        return next(iter(devices), None)

    # -- the block layer's interface --------------------------------------------------

    def delay_ns(self, now_ns: int, nbytes: int, write: bool, dev=None) -> int:
        """An I/O of ``nbytes`` (a write if ``write``) on ``dev`` (default: the one block
        device) issued at ``now_ns``: account it in io.stat here and up, and return how
        long the io.max limits of this cgroup and its ancestors delay it."""
        dev = self._device(dev)
        if dev is None:
            return 0
        direction = "w" if write else "r"
        wait = 0
        for level in self._levels():
            stat = level.stats.setdefault(dev, dict.fromkeys(STAT_KEYS, 0))
            stat[direction + "bytes"] += nbytes
            stat[direction + "ios"] += 1
            limits = level.limits.get(dev, {})
            for key, tokens in ((direction + "bps", nbytes), (direction + "iops", 1)):
                rate = limits.get(key)
                if rate is not None:
                    bucket = level.buckets.get((dev, key))
                    if bucket is None or bucket.rate != rate:
                        bucket = level.buckets[(dev, key)] = TokenBucket(rate)
                        bucket.time = now_ns
                    wait = max(wait, bucket.take(now_ns, tokens))
        return wait

    # -- interface files --------------------------------------------------------------

    def read_max(self) -> str:
        lines = []
        for (major, minor), limits in sorted(self.limits.items()):
            values = " ".join(f"{key}={MAX if limits.get(key) is None else limits[key]}"
                              for key in LIMIT_KEYS)
            lines.append(f"{major}:{minor} {values}\n")
        return "".join(lines)

    def write_max(self, text: str) -> None:
        dev, values = parse_nested("io.max", text, LIMIT_KEYS, IO_MAX_ACCEPTED)
        if dev not in self.cgroup.root.io_devices:
            known = ", ".join(f"{a}:{b}" for a, b in sorted(self.cgroup.root.io_devices))
            raise invalid("io.max", f"{dev[0]}:{dev[1]}",
                          f"a block device number ({known or 'none registered'})", ENODEV)
        limits = dict(self.limits.get(dev, dict.fromkeys(LIMIT_KEYS)))
        for key, value in values.items():
            if value == MAX:
                limits[key] = None
                continue
            number = parse_uint("io.max", value, IO_MAX_ACCEPTED)
            if number > U64_MAX:
                raise invalid("io.max", f"{key}={value}", IO_MAX_ACCEPTED)
            if number == 0:
                raise invalid("io.max", f"{key}={value}", IO_MAX_ACCEPTED, ERANGE)
            limits[key] = number
        if all(limit is None for limit in limits.values()):
            self.limits.pop(dev, None)
        else:
            self.limits[dev] = limits
        for key in LIMIT_KEYS:                # a changed limit restarts its bucket
            if limits.get(key) is None:
                self.buckets.pop((dev, key), None)

    def read_stat(self) -> str:
        lines = []
        for (major, minor), stat in sorted(self.stats.items()):
            values = " ".join(f"{key}={stat[key]}" for key in STAT_KEYS)
            lines.append(f"{major}:{minor} {values}\n")
        return "".join(lines)
