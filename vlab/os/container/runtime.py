"""The runtime: create, start, exec, stop and remove containers (docker's verbs).

It moves a container through the life cycle of ``record.py`` and keeps the state
directory right whatever happens: the record says ``running`` while a command executes
the container, and ``exited`` -- with the exit code and why -- afterwards, also when the
run failed (``StoppedBy: error``) or was interrupted.  The kernel side is
``kernelrun.run_container`` (a :class:`~.launch.LaunchPlan` in, an
:class:`~.launch.Outcome` out).

**What detached means here.**  Our kernel lives inside the one Python process of a
``vlab`` command, so no container process can outlive the command.  ``run -d`` therefore
creates and starts the container and runs it *in that command* until its PID 1 exits or
its instruction budget (``--budget``) is spent, with its output going only to its logs;
it prints the id.  A container whose budget ran out is stopped as ``docker stop``
stops one that ignores SIGTERM: SIGKILL, exit 137, ``StoppedBy: budget``.  What persists
is its record, logs and writable layer, and the later verbs work on those:

* ``logs`` prints what it wrote; ``inspect`` its record; ``ps -a`` lists it;
* ``exec ID CMD`` starts CMD as a new process tree in the container's persisted world --
  its root (the image's layers and its writable layer, changes kept), hostname, env,
  working directory, user and limits.  Docker requires a running container for exec;
  here every container is between runs, so exec works on created and exited ones too;
* ``stop`` marks a container left ``running`` by a killed command as stopped (137);
* ``rm`` deletes it, writable layer and logs included (``-f`` also when ``running``).
"""

from __future__ import annotations

import io

from .containers import Containers
from .errors import ContainerError, NoSuchImage
from .launch import DEFAULT_BUDGET, LaunchPlan, Outcome
from .process import process_config, resolve_argv0
from .record import ContainerRecord
from .spec import RunSpec
from .statedir import StateDir

EXIT_KILLED = 137                  # 128 + SIGKILL: docker's OOM-kill and stop status


class Tee(io.RawIOBase):
    """A binary stream that writes to the terminal (if any) and keeps a capped copy."""

    def __init__(self, out=None, cap: int = 1 << 20):
        self.out, self.cap, self.kept = out, cap, bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        """The bytes the terminal took (a capped terminal may take fewer: the guest then
        sees a short write, and EFBIG next, as the terminal's stream raises); the copy
        kept for ``logs`` holds exactly those bytes."""
        data = bytes(data)
        if self.out is not None:
            taken = self.out.write(data)
            self.out.flush()
            if isinstance(taken, int):
                data = data[:taken]
        room = self.cap - len(self.kept)
        if room > 0:
            self.kept += data[:room]
        return len(data)


class Runtime:
    """The verbs on one state directory; ``images`` is the image store (vlab.os.image),
    ``launcher(plan) -> Outcome`` the kernel side (``kernelrun.run_container``)."""

    def __init__(self, state: StateDir | None = None, images=None, launcher=None):
        self.state = state or StateDir()
        self.containers = Containers(self.state)
        self._images = images
        self._launcher = launcher

    @property
    def images(self):
        if self._images is None:
            from .images import open_store
            self._images = open_store(self.state)
        return self._images

    @property
    def launcher(self):
        if self._launcher is None:
            from .kernelrun import run_container
            self._launcher = run_container
        return self._launcher

    # ------------------------------------------------------------ create

    def create(self, spec: RunSpec) -> ContainerRecord:
        """A container of ``spec.image`` in state ``created`` (docker create)."""
        if not self.images.exists(spec.image):
            raise NoSuchImage(f"unable to find image {spec.image!r}: build it (vlab container "
                              "build -t NAME DIR) or load it (vlab container load -i DIR); "
                              "vlab container images lists what there is")
        image_id = self.images.image_id(spec.image)
        config = self.images.run_config(spec.image)
        # the id is needed for the default hostname: compute it as create() will
        probe = process_config(spec, config, "0" * 12)
        record = self.containers.create(spec, image_id=image_id, entrypoint=probe.argv,
                                        env=probe.env, workdir=probe.workdir,
                                        user=probe.user)
        record.hostname = spec.hostname or record.id[:12]
        self.containers.save(record)
        return record

    # ------------------------------------------------------------ start / exec

    def start(self, record: ContainerRecord, *, stdin=None, stdout=None, stderr=None,
              budget: int = DEFAULT_BUDGET) -> Outcome:
        """Run the container's PID 1 (docker start -a); record the outcome and logs."""
        if record.state == "running":
            raise ContainerError(f"container {record.name} is already running (in another "
                                 "vlab command, or one that was killed: vlab container stop "
                                 f"{record.name})")
        return self._run(record, record.entrypoint, stdin, stdout, stderr, budget,
                         main=True)

    def exec(self, record: ContainerRecord, argv: list[str], *, stdin=None, stdout=None,
             stderr=None, budget: int = DEFAULT_BUDGET) -> Outcome:
        """Run ``argv`` in the container's persisted world (see the module docstring)."""
        if not argv:
            raise ContainerError("exec needs a command: vlab container exec ID CMD [ARG...]")
        if record.state == "running":
            raise ContainerError(f"container {record.name} is being run by another vlab "
                                 "command; wait for it or stop it")
        return self._run(record, list(argv), stdin, stdout, stderr, budget, main=False)

    def _run(self, record, argv, stdin, stdout, stderr, budget, *, main: bool) -> Outcome:
        upper = self.containers.load_upper(record)
        lowers = self.images.layers(record.spec.image)
        out, err = Tee(stdout), Tee(stderr)
        process = process_config(record.spec, None, record.id, command=argv)
        process.env, process.workdir = list(record.env), record.workdir
        process.uid, process.gid = (int(x) for x in record.user.split(":"))
        process.hostname = record.hostname
        plan = LaunchPlan(record.id, lowers, upper, process, list(record.spec.mounts),
                          record.spec.cgroup_limits(), budget, stdin, out, err)
        if main:
            record.state, record.exit_code, record.stopped_by = "running", None, None
            record.oom_killed, record.error = False, ""
            self.containers.save(record)
        record.runs += 1
        try:
            process.argv[0] = resolve_argv0(argv[0], process.env,
                                            root_is_file(lowers, upper, record.spec.mounts))
            outcome = self.launcher(plan)
        except ContainerError as exc:
            outcome = Outcome(exc.exit_code, "error", detail=str(exc))
            try:
                err.write(f"vlab: {exc}\n".encode())
            except OSError:                   # stderr past its output cap: the record
                pass                          # keeps the reason (detail) anyway
        except BaseException as exc:          # interrupted or a runtime bug: never leave
            outcome = Outcome(EXIT_KILLED, "error", detail=f"{type(exc).__name__}: {exc}")
            self._finish(record, outcome, upper, out, err, main)   # 'running' behind
            raise
        self._finish(record, outcome, upper, out, err, main)
        return outcome

    def _finish(self, record, outcome: Outcome, upper, out: Tee, err: Tee, main: bool):
        self.containers.save_upper(record, upper)
        record.instructions += outcome.instructions
        if main:
            record.state = "exited"
            record.exit_code = outcome.exit_code
            record.stopped_by = outcome.stopped_by
            record.oom_killed = outcome.oom_killed
            record.error = outcome.detail if outcome.stopped_by == "error" else ""
            self.containers.append_logs(record, bytes(out.kept), bytes(err.kept))
        self.containers.save(record)

    # ------------------------------------------------------------ stop / rm

    def stop(self, record: ContainerRecord) -> ContainerRecord:
        """A ``running`` record (its command was killed) becomes exited 137; others stay."""
        if record.state == "running":
            record.state, record.exit_code, record.stopped_by = "exited", EXIT_KILLED, "stop"
            self.containers.save(record)
        return record

    def remove(self, record: ContainerRecord, force: bool = False) -> None:
        if record.state == "running" and not force:
            raise ContainerError(f"cannot remove container {record.name}: it is running; "
                                 "stop it first or use rm -f")
        self.containers.remove(record)


def root_is_file(lowers, upper, mounts=()):
    """``is_file(path)`` over a container's root as PID 1 will see it: a bind mount's
    host directory under its target, else the overlay (upper over lowers, whiteouts
    applied).  Only for finding argv[0]; the exec itself goes through the kernel."""
    import os

    from vlab.os.fs import FsError, Overlay

    overlay = Overlay(upper, lowers)
    binds = sorted(mounts, key=lambda m: len(m.target), reverse=True)

    def is_file(path: str) -> bool:
        for bind in binds:
            if path.startswith(bind.target.rstrip("/") + "/"):
                relative = path[len(bind.target.rstrip("/")) + 1:]
                return os.path.isfile(os.path.join(bind.host, relative))
        try:
            return overlay.is_file(path)
        except FsError:
            return False
    return is_file
