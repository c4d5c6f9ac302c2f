"""The ``vlab`` command line.

Each subcommand lives in its own module and is listed in :data:`SUBCOMMANDS`
(name -> module).  A module provides ``add_arguments(parser)`` and
``run(args) -> int`` (the process exit status).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "run": ("vlab.cli.run_cmd", "run an RV32 program (ELF or assembly)"),
    "asm": ("vlab.cli.asm_cmd", "assemble RV32 assembly into an ELF file"),
    "disasm": ("vlab.cli.disasm_cmd", "disassemble an RV32 ELF file or hex words"),
    "hll": ("vlab.cli.hll_cmd", "the high-level-language VM: run, compile, javap"),
    "vm": ("vlab.cli.vm_cmd", "virtual machines: run a bare-metal guest under a hypervisor"),
    "os": ("vlab.cli.os_cmd", "the multi-process kernel: boot a shell, run one command"),
    "container": ("vlab.cli.container_cmd", "containers: build, run, ps, exec, logs, images "
                                             "(docker's verbs)"),
    "lib": ("vlab.cli.lib_cmd", "library level: trace and hook library calls, run Win32 "
                                 "programs, remote an accelerator API"),
    "datacenter": ("vlab.cli.datacenter_cmd", "data centers: server consolidation on PlanetLab "
                                               "traces"),
    "merits": ("vlab.cli.merits_cmd", "the relative merits of the five levels, measured "
                                       "(Table 3.1 of the lecture beside ours)"),
    "course": ("vlab.cli.course_cmd", "instructor workflow: release, collect, autograde, export, "
                                       "feedback"),
}


def _load(name: str):
    module_name, _ = SUBCOMMANDS[name]
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:  # a subcommand whose level is not built yet
        if exc.name == module_name:
            return None
        raise


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vlab", description="vlab: run the course's models of virtualization.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, help_text) in SUBCOMMANDS.items():
        module = _load(name)
        if module is None:
            continue
        module.add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return _load(args.command).run(args)
    except BrokenPipeError:               # e.g. `vlab disasm prog.elf | head`
        # The reader went away: stop quietly (Python docs, "Note on SIGPIPE").
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
