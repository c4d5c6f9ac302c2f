"""Containers: OS-level virtualization on our kernel (the lecture's Docker and LXC).

A container is an ordinary process tree of the host kernel that the kernel shows a
world of its own: its own PID, UTS, IPC, mount (and user) namespaces, a cgroup that
bounds its memory, CPU and process count, and a root file system made of an image's
read-only layers under its own writable layer.  This package is the *runtime* that sets
that up (the part runc and dockerd play) and keeps containers between commands:

=================  ===================================================================
module             concept
=================  ===================================================================
``errors``         runtime errors and docker's exit codes (125 runtime, 137 OOM/kill)
``statedir``       the state directory: where images and containers persist; atomic
``spec``           the options of ``run``, checked; limits as cgroup v2 files
``record``         one container's record and life cycle (created, running, exited)
``containers``     the containers of a state directory: create, find, save, remove
=================  ===================================================================
"""
