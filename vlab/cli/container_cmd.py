"""``vlab container ...``: docker's verbs on vlab's kernel (chapter 7).

Containers and images persist in one state directory (``$VLAB_STATE_DIR``, default
``~/.cache/vlab/containers``; vlab/os/container/statedir.py), so consecutive commands see
the same containers.  Our kernel lives inside this one Python process, so a container
runs only while a command runs it: ``run -d`` runs it to its end (or to ``--budget``
instructions, then SIGKILL, 137) with its output kept for ``logs``, and ``exec`` starts a
command in a container's persisted world (vlab/os/container/runtime.py says how).

Exit status (docker's convention): the container's own status for ``run``/``exec``
(137 when it was OOM-killed or its budget ran out); 125 when the runtime fails (bad
option value, unknown image or container, corrupt state); 126/127 when the command
cannot be run / is not found; 2 for usage errors.

Output: ``run``, ``start``, ``exec`` and ``logs`` send at most ``--output-cap`` bytes
(default 16 MiB) to our stdout and as many to our stderr (``vlab.os.quota.CappedStream``,
as ``vlab run``): past the cap one line on stderr says so and the container's writes fail
with EFBIG.  The logs a container keeps are bounded already (the first
``LOG_CAP`` bytes of each stream, vlab/os/container/containers.py); ``logs`` applies the
cap to what it prints all the same.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

from vlab.cli.arguments import add_output_cap_option, positive_int
from vlab.os.container.errors import EXIT_RUNTIME, EXIT_USAGE, ContainerError
from vlab.os.container.launch import DEFAULT_BUDGET
from vlab.os.quota import capped_stdio, forward

EPILOG = textwrap.dedent("""\
    Containers and images live in $VLAB_STATE_DIR (default ~/.cache/vlab/containers).
    Networking: only --network none (sockets are not part of vlab's kernel yet).
    Detached (-d): the container runs inside this command until it exits or its
    instruction budget is spent (then it is killed, exit 137); its output goes to
    `vlab container logs ID`.  exec runs a command in a container's persisted files,
    hostname, environment and limits (also when it has exited).
    Exit status: the container's; 125 runtime error; 127 command not found; 2 usage.""")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument("--state-dir", metavar="DIR",
                        help="the state directory (default $VLAB_STATE_DIR or "
                             "~/.cache/vlab/containers)")
    sub = parser.add_subparsers(dest="container_command", metavar="COMMAND")

    def command(name, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.formatter_class = argparse.RawDescriptionHelpFormatter
        return p

    build = command("build", "build an image from a Containerfile (RUN runs on the kernel)")
    build.add_argument("-t", "--tag", required=True, metavar="NAME", help="the image name")
    build.add_argument("-f", "--file", metavar="FILE",
                       help="the build file (default DIR/Containerfile, else Dockerfile)")
    build.add_argument("--no-cache", action="store_true", help="run every step again")
    build.add_argument("--budget", type=positive_int, default=DEFAULT_BUDGET, metavar="N",
                       help="instruction budget of each RUN step (default %(default)s)")
    build.add_argument("context", metavar="DIR", help="the build context (COPY reads here)")

    run = command("run", "create and start a container")
    _run_options(run)
    run.add_argument("--rm", action="store_true", help="remove the container when it exits")
    add_output_cap_option(run)
    run.add_argument("-d", "--detach", action="store_true",
                     help="print the id; output goes to the logs (see below)")
    run.add_argument("image", metavar="IMAGE")
    run.add_argument("cmd", nargs=argparse.REMAINDER, metavar="CMD",
                     help="replaces the image's CMD")
    run.epilog = EPILOG

    create = command("create", "create a container without starting it")
    _run_options(create)
    create.add_argument("image", metavar="IMAGE")
    create.add_argument("cmd", nargs=argparse.REMAINDER, metavar="CMD")

    start = command("start", "start a created or exited container (attached)")
    start.add_argument("container", metavar="ID")
    start.add_argument("--budget", type=positive_int, default=DEFAULT_BUDGET, metavar="N")
    add_output_cap_option(start)

    ps = command("ps", "list containers (running ones; -a: all)")
    ps.add_argument("-a", "--all", action="store_true", help="also created and exited")
    ps.add_argument("-q", "--quiet", action="store_true", help="ids only")

    exec_ = command("exec", "run a command in a container's world")
    exec_.add_argument("-i", "--interactive", action="store_true",
                       help="connect this terminal's stdin")
    exec_.add_argument("--budget", type=positive_int, default=DEFAULT_BUDGET, metavar="N")
    add_output_cap_option(exec_)
    exec_.add_argument("container", metavar="ID")
    exec_.add_argument("cmd", nargs=argparse.REMAINDER, metavar="CMD")

    logs = command("logs", "print what a container wrote")
    logs.add_argument("container", metavar="ID")
    add_output_cap_option(logs)

    stop = command("stop", "stop containers")
    stop.add_argument("containers", nargs="+", metavar="ID")

    rm = command("rm", "remove containers")
    rm.add_argument("-f", "--force", action="store_true", help="also a running one")
    rm.add_argument("containers", nargs="+", metavar="ID")

    command("images", "list images")

    rmi = command("rmi", "remove images (layers stay while another image uses them)")
    rmi.add_argument("images", nargs="+", metavar="NAME")

    inspect = command("inspect", "a container's or image's record as JSON")
    inspect.add_argument("targets", nargs="+", metavar="ID|IMAGE")

    save = command("save", "write an image as an OCI image layout directory")
    save.add_argument("-o", "--output", required=True, metavar="DIR")
    save.add_argument("image", metavar="NAME")

    load = command("load", "read an image from an OCI image layout directory")
    load.add_argument("-i", "--input", required=True, metavar="DIR")


def _run_options(p) -> None:
    p.add_argument("--name", help="a name for the container")
    p.add_argument("-e", "--env", action="append", default=[], metavar="K=V",
                   help="set an environment variable (repeatable)")
    p.add_argument("-v", "--volume", action="append", default=[],
                   metavar="HOSTDIR:CTRDIR[:ro]", help="bind-mount a host directory")
    p.add_argument("--hostname", metavar="H", help="the container's hostname")
    p.add_argument("-m", "--memory", metavar="BYTES",
                   help="memory limit (memory.max), e.g. 4m; b, k, m, g units")
    p.add_argument("--cpus", metavar="N", help="CPU quota (cpu.max N*100000 100000)")
    p.add_argument("--pids-limit", metavar="N", help="process limit (pids.max); -1: none")
    p.add_argument("--network", default="none", metavar="none",
                   help="only 'none': sockets are not part of vlab's kernel yet")
    p.add_argument("-u", "--user", metavar="UID[:GID]", help="numeric user (and group)")
    p.add_argument("-w", "--workdir", metavar="DIR", help="working directory of PID 1")
    p.add_argument("-i", "--interactive", action="store_true",
                   help="connect this terminal's stdin to PID 1")
    p.add_argument("--budget", type=positive_int, default=DEFAULT_BUDGET, metavar="N",
                   help="guest instructions before the container is killed "
                        "(default %(default)s)")



# ---------------------------------------------------------------- dispatch

def run(args) -> int:
    name = args.container_command
    if name is None:
        print("vlab container: give a command, e.g. vlab container run vlab/base echo hi "
              "(vlab container --help lists them)", file=sys.stderr)
        return EXIT_USAGE
    from vlab.os.container.runtime import Runtime
    from vlab.os.container.statedir import StateDir
    try:
        runtime = Runtime(StateDir(args.state_dir) if args.state_dir else None)
        return COMMANDS[name](runtime, args)
    except ContainerError as exc:
        print(f"vlab container {name}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except _image_errors() as exc:
        print(f"vlab container {name}: error: {exc}", file=sys.stderr)
        return EXIT_RUNTIME
    except KeyboardInterrupt:            # the container was recorded as stopped
        print(f"vlab container {name}: interrupted", file=sys.stderr)
        return 130


def _image_errors():
    try:
        from vlab.os.image.errors import ImageError
    except ImportError:                   # the image package is not built yet
        return ()
    return (ImageError,)


def _spec(args):
    from vlab.os.container import spec as s
    command = list(args.cmd)
    if command[:1] == ["--"]:
        command = command[1:]
    return s.RunSpec(
        image=args.image, command=command,
        name=s.parse_name(args.name) if args.name else None,
        env=s.parse_env(args.env), mounts=[s.parse_volume(v) for v in args.volume],
        hostname=s.parse_hostname(args.hostname) if args.hostname else None,
        memory=s.parse_memory(args.memory) if args.memory is not None else None,
        cpus=s.parse_cpus(args.cpus) if args.cpus is not None else None,
        pids_limit=s.parse_pids_limit(args.pids_limit) if args.pids_limit is not None
        else None,
        network=s.parse_network(args.network),
        user=s.parse_user(args.user) if args.user else None,
        workdir=s.parse_workdir(args.workdir) if args.workdir else None,
        remove=getattr(args, "rm", False), detach=getattr(args, "detach", False))


def _stdio(args, interactive: bool = False):
    """stdin (this terminal's, if ``interactive``), and our stdout and stderr capped at
    ``--output-cap``."""
    stdin = sys.stdin.buffer if interactive else None
    out, err = capped_stdio(args.output_cap, f"vlab container {args.container_command}")
    return stdin, out, err


def cmd_run(runtime, args) -> int:
    spec = _spec(args)
    record = runtime.create(spec)
    stdin, out, err = _stdio(args, args.interactive)
    if spec.detach:
        out = err = None
    outcome = runtime.start(record, stdin=stdin, stdout=out, stderr=err, budget=args.budget)
    if spec.detach:
        print(record.id)
    if spec.remove:
        runtime.remove(runtime.containers.get(record.id), force=True)
    _report(outcome)
    return outcome.exit_code


def _report(outcome) -> None:
    if outcome.stopped_by == "oom":
        print(f"vlab: the container was OOM-killed (memory.max reached){_detail(outcome)}",
              file=sys.stderr)
    elif outcome.stopped_by == "budget":
        print("vlab: the container's instruction budget ran out: killed (SIGKILL, 137); "
              "give a larger --budget", file=sys.stderr)


def _detail(outcome) -> str:
    return f": {outcome.detail}" if outcome.detail else ""


def cmd_create(runtime, args) -> int:
    print(runtime.create(_spec(args)).id)
    return 0


def cmd_start(runtime, args) -> int:
    record = runtime.containers.get(args.container)
    _, out, err = _stdio(args)
    outcome = runtime.start(record, stdout=out, stderr=err, budget=args.budget)
    _report(outcome)
    return outcome.exit_code


def cmd_exec(runtime, args) -> int:
    record = runtime.containers.get(args.container)
    command = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    stdin, out, err = _stdio(args, args.interactive)
    outcome = runtime.exec(record, command, stdin=stdin, stdout=out, stderr=err,
                           budget=args.budget)
    _report(outcome)
    return outcome.exit_code


def cmd_ps(runtime, args) -> int:
    records = [r for r in runtime.containers.list() if args.all or r.state == "running"]
    if args.quiet:
        for record in records:
            print(record.short_id)
        return 0
    rows = [("CONTAINER ID", "IMAGE", "COMMAND", "STATUS", "NAMES")]
    for r in records:
        command = " ".join(r.entrypoint)
        command = command if len(command) <= 22 else command[:21] + "…"
        rows.append((r.short_id, r.spec.image, f'"{command}"', _status(r), r.name))
    _table(rows)
    return 0


def _status(record) -> str:
    if record.state == "exited":
        why = {"oom": ", OOM-killed", "budget": ", budget spent", "error": ", error"}
        return f"Exited ({record.exit_code}){why.get(record.stopped_by, '')}"
    return record.state.capitalize()


def _table(rows) -> None:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("   ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def cmd_logs(runtime, args) -> int:
    stdout, stderr = runtime.containers.logs(runtime.containers.get(args.container))
    _, out, err = _stdio(args)
    forward(out, stdout)
    out.flush()
    forward(err, stderr)
    err.flush()
    return 0


def cmd_stop(runtime, args) -> int:
    for ref in args.containers:
        print(runtime.stop(runtime.containers.get(ref)).name)
    return 0


def cmd_rm(runtime, args) -> int:
    status = 0
    for ref in args.containers:
        try:
            record = runtime.containers.get(ref)
            runtime.remove(record, force=args.force)
            print(ref)
        except ContainerError as exc:
            print(f"vlab container rm: error: {exc}", file=sys.stderr)
            status = EXIT_RUNTIME
    return status


def cmd_images(runtime, args) -> int:
    rows = [("REPOSITORY", "TAG", "IMAGE ID", "LAYERS", "SIZE")]
    for image in runtime.images.list():
        repo, _, tag = image.name.rpartition(":") if ":" in image.name.split("/")[-1] \
            else (image.name, "", "latest")
        rows.append((repo, tag, image.short_id, str(image.layers), _size(image.size)))
    _table(rows)
    return 0


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f}{unit}" if unit == "B" else f"{n:.1f}{unit}"
        n /= 1000
    return str(n)


def cmd_rmi(runtime, args) -> int:
    from vlab.os.container.images import normalize
    in_use = {normalize(r.spec.image): r for r in runtime.containers.list()}
    for name in args.images:
        if normalize(name) in in_use:
            raise ContainerError(f"cannot remove image {name!r}: container "
                                 f"{in_use[normalize(name)].name} uses it (vlab container rm "
                                 "it first)")
        runtime.images.remove(name)
        print(f"Untagged: {name}")
    return 0


def cmd_inspect(runtime, args) -> int:
    from vlab.os.container.errors import NoSuchContainer
    found = []
    for target in args.targets:
        try:
            found.append(runtime.containers.get(target).inspect())
        except NoSuchContainer:
            if not runtime.images.exists(target):
                raise ContainerError(f"no such container or image: {target}") from None
            found.append(runtime.images.inspect(target))
    print(json.dumps(found, indent=4))
    return 0


def cmd_save(runtime, args) -> int:
    runtime.images.save(args.image, args.output)
    return 0


def cmd_load(runtime, args) -> int:
    for name in runtime.images.load(args.input):
        print(f"Loaded image: {name}")
    return 0


def cmd_build(runtime, args) -> int:
    from vlab.os.container.build import build
    image = build(runtime, args.context, args.tag, file=args.file, no_cache=args.no_cache,
                  budget=args.budget, out=sys.stdout)
    print(f"Successfully tagged {image}")
    return 0


COMMANDS = {"run": cmd_run, "create": cmd_create, "start": cmd_start, "exec": cmd_exec,
            "ps": cmd_ps, "logs": cmd_logs, "stop": cmd_stop, "rm": cmd_rm,
            "images": cmd_images, "rmi": cmd_rmi, "inspect": cmd_inspect, "save": cmd_save,
            "load": cmd_load, "build": cmd_build}
