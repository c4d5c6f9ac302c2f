"""Containers: OS-level virtualization on our kernel (the lecture's Docker and LXC).

A container is an ordinary process tree of the host kernel that the kernel shows a
world of its own: its own PID, UTS, IPC, mount (and user) namespaces, a cgroup that
bounds its memory, CPU and process count, and a root file system made of an image's
read-only layers under its own writable layer.  This package is the *runtime* that sets
that up (the part runc and dockerd play) and keeps containers between commands:

=================  ===================================================================
module             concept
=================  ===================================================================
``errors``         runtime errors and docker's exit codes (125 runtime, 126, 127)
``statedir``       the state directory: where images and containers persist; atomic
``spec``           the options of ``run``, checked; limits as cgroup v2 files
``record``         one container's record and life cycle (created, running, exited)
``containers``     the containers of a state directory: create, find, save, remove
``process``        what PID 1 runs: ENTRYPOINT + CMD, Env, WorkingDir, User, PATH
``images``         the image store as the runtime uses it; ``vlab/base``
``launch``         the hand-over to the kernel: a launch plan in, an outcome out
``runtime``        docker's verbs and what detached means here (module docstring)
``kernelrun``      runc's work on our kernel: cgroup, namespaces, overlay root,
                   pivot_root, PID 1; a ``Host`` shared by containers
``fstree``         mount-point directories and files in a VFS tree
``build``          the Containerfile executor: RUN in a build container, layer cache
``system``         the host system alone: ``vlab os boot`` / ``vlab os run``
=================  ===================================================================

The CLI is ``vlab container ...`` (``vlab/cli/container_cmd.py``) and ``vlab os ...``
(``vlab/cli/os_cmd.py``); measurements are in ``benchmarks/bench_containers.py``.
"""
