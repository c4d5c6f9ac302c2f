"""cgroups v2: control groups of processes and their controllers (cpu, memory, pids, io).

Documentation/admin-guide/cgroup-v2.rst is the model's specification.  The pieces:

* ``tree.py`` -- ``Cgroup``: the tree, processes in it, fork/exit/release, moves;
* ``cpu.py`` -- cpu.weight and cpu.max (CFS bandwidth: quota per period, throttling);
* ``memory.py`` -- memory.max enforced at page charge, OOM victim choice, events;
* ``pids.py`` -- pids.max: fork fails with EAGAIN;
* ``io.py`` -- io.max token buckets delaying block I/O in modeled time, io.stat;
* ``groupweight.py`` -- group scheduling: the flat CFS weights that give cgroups their
  cpu.weight shares whatever their number of processes;
* ``parse.py`` -- the value formats of interface files;
* ``files.py`` -- the interface files of a cgroup directory (names, who has them,
  reader and writer) and ``Access``, what they need of the kernel;
* ``cgroupfs.py`` -- the file system type mounted at /sys/fs/cgroup (``cgroup2``), and
  delegated views of a container's subtree.

How the kernel uses it: ``root = Cgroup.new_root()`` is ``kernel.root_cgroup``; clone
calls ``parent.cgroup.fork(child)`` (EAGAIN at pids.max), exit ``cgroup.exit(proc)``,
reap ``cgroup.release(proc)``; an address space is charged to ``proc.cgroup.memory``
(its ``try_charge`` raises the frame allocator's ``OutOfMemory``; ``oom(processes)``
picks the victim); the scheduler asks ``proc.cgroup.cpu`` (``charge``, ``throttled``,
``next_unthrottle_ns``, ``cfs_weight``); the block layer asks ``proc.cgroup.io``
(``delay_ns``) for the devices in ``root.io_devices``.
"""

from .memory import OutOfMemory
from .tree import CONTROLLERS, Cgroup

__all__ = ["CONTROLLERS", "Cgroup", "OutOfMemory"]
