"""cgroups v2: control groups of processes and their controllers (cpu, memory, pids, io).

Documentation/admin-guide/cgroup-v2.rst is the model's specification.  The pieces:

* ``tree.py`` -- ``Cgroup``: the tree, processes in it, fork/exit/release, moves;
* ``cpu.py`` -- cpu.weight and cpu.max (CFS bandwidth: quota per period, throttling);
* ``memory.py`` -- memory.max enforced at page charge, OOM victim choice, events;
* ``pids.py`` -- pids.max: fork fails with EAGAIN;
* ``io.py`` -- io.max token buckets delaying block I/O in modeled time, io.stat;
* ``parse.py`` -- the value formats of interface files;
* ``files.py`` -- the interface files of a cgroup directory (names, who has them);
* ``cgroupfs.py`` -- the file system type mounted at /sys/fs/cgroup.
"""

from .memory import OutOfMemory
from .tree import CONTROLLERS, Cgroup

__all__ = ["CONTROLLERS", "Cgroup", "OutOfMemory"]
