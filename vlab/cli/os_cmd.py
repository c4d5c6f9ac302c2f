"""``vlab os boot`` and ``vlab os run``: the multi-process kernel as a whole system.

``boot`` starts the kernel with the userland as its root and ``/sbin/init`` as PID 1,
which starts an interactive shell on this terminal (its stdin and stdout are the
console); leave it with ``exit`` or Ctrl-D.  ``run`` runs one command the same way,
non-interactively, and exits with its status.  With a disk image (``--disk IMG`` for
boot, the optional IMG for run) the modeled block device holds it and vlabfs mounts it
at /mnt/disk: files written there are there in the next run (a new image file is
formatted on first use).  vlab/os/container/system.py has the layout.  At most
``--output-cap`` bytes (default 16 MiB) of the system's stdout reach ours, and as many of
its stderr (``vlab.os.quota.CappedStream``, as ``vlab run``): past the cap one line on
stderr says so and the guests' writes fail with EFBIG.

Exit status: the command's (or the shell's); 124 when the instruction budget runs out;
125 when the system cannot start (a bad disk image, the userland does not build);
2 for usage errors.
"""

from __future__ import annotations

import argparse
import sys

from vlab.cli.arguments import add_output_cap_option, positive_int
from vlab.os.quota import capped_stdio

EXIT_BUDGET, EXIT_USAGE, EXIT_SYSTEM = 124, 2, 125
DEFAULT_RUN_BUDGET = 1_000_000_000
DESCRIPTION = __doc__.split("\n\n", 1)[1].rsplit("\n\nExit status", 1)[0]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.description = DESCRIPTION
    sub = parser.add_subparsers(dest="os_command", metavar="ACTION")
    boot = sub.add_parser("boot", help="boot the kernel: init and an interactive shell",
                          description="Boot the kernel with init and a shell on this "
                                      "terminal.  Leave with exit or Ctrl-D.")
    boot.add_argument("--disk", metavar="IMG",
                      help="a disk image file, mounted at /mnt/disk (made if missing)")
    boot.add_argument("--hostname", default="vlab", help="the system's hostname")
    add_output_cap_option(boot)
    run = sub.add_parser("run", help="run one command on the booted system",
                         description="Run one command as init's child, non-interactively; "
                                     "the exit status is the command's.  Example: vlab os "
                                     "run -- sh -c 'ps; hostname'")
    run.add_argument("--hostname", default="vlab", help="the system's hostname")
    run.add_argument("--max-instructions", type=positive_int, default=DEFAULT_RUN_BUDGET,
                     metavar="N", help="instruction budget (default %(default)s)")
    add_output_cap_option(run)
    run.add_argument("cmd", nargs=argparse.REMAINDER, metavar="[IMG] -- CMD [ARG...]",
                     help="IMG: a disk image file, mounted at /mnt/disk (made if missing); "
                          "then the command after --")


def _split_run(words: list[str]) -> tuple[str | None, list[str]]:
    """``[IMG] -- CMD ARG...`` -> (IMG or None, [CMD, ARG...]); a missing ``--`` gives no
    command (a usage error: the command must follow ``--``)."""
    if "--" not in words:
        return None, []
    at = words.index("--")
    before, command = words[:at], words[at + 1:]
    if len(before) > 1:
        return None, []
    return (before[0] if before else None), command



def run(args) -> int:
    from vlab.os.container.errors import ContainerError
    from vlab.os.container.system import boot_system
    if args.os_command is None:
        print("vlab os: give an action: vlab os boot, or vlab os run -- CMD [ARG...]",
              file=sys.stderr)
        return EXIT_USAGE
    if args.os_command == "run":
        disk, command = _split_run(args.cmd)
        args.disk = disk
        if not command:
            print("vlab os run: give a command after --, e.g. vlab os run -- sh -c 'ps'",
                  file=sys.stderr)
            return EXIT_USAGE
        budget, stdin = args.max_instructions, None
    else:
        command, budget, stdin = None, 10**15, sys.stdin.buffer
    out, err = capped_stdio(args.output_cap, f"vlab os {args.os_command}")
    try:
        done = boot_system(command, disk=args.disk, stdin=stdin, stdout=out, stderr=err,
                           budget=budget, hostname=args.hostname)
    except ContainerError as exc:
        print(f"vlab os {args.os_command}: error: {exc}", file=sys.stderr)
        return EXIT_SYSTEM
    finally:
        out.flush()
    if done.status == "budget":
        print(f"vlab os {args.os_command}: the instruction budget of {budget} ran out",
              file=sys.stderr)
        return EXIT_BUDGET
    if done.exit_code is None:
        print(f"vlab os {args.os_command}: the system stopped: {done.message}",
              file=sys.stderr)
        return EXIT_SYSTEM
    return done.exit_code
