"""``vlab vm run GUEST``: run a bare-metal RV32 ELF as a whole virtual machine.

The guest is what ``vlab run`` runs bare-metal (linked at 0x80000000, HTIF exit); here
it runs deprivileged under a VMM (vlab/hardware/vm.py) and gives the same console output
and exit status -- Popek & Goldberg's equivalence.  ``--stats`` prints (to stderr) the
guest's instructions, the VM exits by reason and the modeled time with the cost rows
used.  A guest stopped by its own fault exits like ``vlab run`` (128 + signal, see
vlab/cli/run_cmd.py); exhausting the budget exits 124; bad options and files exit 2.
The guest's console (HTIF and UART) is forwarded as it is written, at most
``--output-cap`` bytes (default 16 MiB, ``vlab.os.quota.CappedStream`` as ``vlab run``):
past it one line on stderr says so and further console bytes are dropped (a console has
no error to give the guest), so a guest printing forever no longer floods the terminal.

Built: ``--cpu hw`` (the default: a KVM-style VMM on the machine's hypervisor extension,
vlab/hardware/hw_vmm.py), ``--cpu trap-emulate`` and ``--cpu bt`` (binary translation of
the guest's kernel code, callouts instead of traps: vlab/hardware/bt.py; ``--stats``
adds translations and callouts), with ``--type 1``; ``--type 2`` (the VMM as a host
process) and ``--type dual`` (the host kernel's /dev/kvm and a user-mode VMM, --cpu hw)
run in vlab/hosted/.  ``--entry S``
(hw only) starts the guest in S-mode as a kernel whose firmware is the VMM's SBI
(vlab/hardware/sbi.py).  ``--non-virtualizable`` breaks trap-and-emulate; under ``hw``
it changes nothing (in VS/VU-mode every sensitive instruction traps or acts on the vs*
registers), and under ``bt`` neither (the translator replaces the silent instructions
too).  ``--cpu paravirt`` (vlab/hardware/paravirt_vmm.py) runs the paravirtual build of
the guest kernel.

``vlab vm run [--cpu ...] -- PROGRAM ARGS`` (no bare-metal GUEST: a static Linux-ABI user
ELF) boots the course's guest kernel (vlab/hardware/guest_kernel/: its native build under
``hw`` or ``trap-emulate``, its paravirtual build under ``--cpu paravirt``) in the VM and
runs PROGRAM on it: only the program's output is printed and its exit status is
returned, as ``vlab run --mode user PROGRAM ARGS`` does.

``vlab vm run GUEST --cpu hw --accel remote`` gives the VM the host's accelerator as a
virtio device (vCUDA, vlab/cli/vm_accel.py): GUEST, an ELF or a C source, calls cuda.h
through the front end vlab/library/accel/vmguest/vcuda_virtio.c.
"""
from __future__ import annotations

import argparse
import functools
import sys

from vlab.cli import vm_accel
from vlab.cli.arguments import add_output_cap_option, positive_int
from vlab.cli.vm_lifecycle_cmd import ACTIONS as LIFECYCLE_ACTIONS
from vlab.cli.vm_lifecycle_cmd import add_lifecycle_arguments, run_lifecycle, suspend_run
from vlab.isa.engines import RUNNING_ENGINES
from vlab.isa.traps import cause_text
from vlab.os.boot import BootError, read_program
from vlab.os.quota import capped_stdio, forward
from vlab.os.signal import SIGABRT, exit_status, signal_for

EXIT_BUDGET, EXIT_USAGE, EXIT_OTHER = 124, 2, exit_status(SIGABRT)
CPUS = ('trap-emulate', 'bt', 'paravirt', 'hw')
TYPES = ('1', '2', 'dual')
BUILT_CPUS, BUILT_TYPES = ('hw', 'trap-emulate', 'bt', 'paravirt'), ('1', '2', 'dual')
KERNEL_CPUS = ('hw', 'paravirt', 'trap-emulate')   # methods that boot the guest kernel
ENTRIES = ('M', 'S')
DEFAULT_MAX_INSTRUCTIONS = 100_000_000
IO_CHOICES = ('emulated', 'virtio', 'passthrough')      # vlab/hardware/io/attach.py


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest='vm_command', metavar='ACTION')
    run = sub.add_parser('run', help='run a bare-metal guest ELF as a virtual machine',
                         description='run a bare-metal guest ELF as a virtual machine')
    run.add_argument('guest', nargs='?', help='a bare-metal RV32 ELF (or .s) file; or, '
                     'after --, a static Linux-ABI user program run on the guest kernel')
    run.add_argument('program_args', nargs='*', metavar='ARG',
                     help='the user program\'s arguments (vlab vm run -- PROGRAM ARGS)')
    run.add_argument('--cpu', choices=CPUS, default='hw',
                     help='CPU virtualization method (hw, the default, trap-emulate, bt; '
                          'paravirt: the paravirtual guest kernel)')
    run.add_argument('--type', choices=TYPES, default='1', dest='vm_type',
                     help='hypervisor type: 1 native (default), 2 hosted, dual (KVM-like)')
    run.add_argument('--engine', choices=RUNNING_ENGINES, default='interp',
                     help='execution engine of the machine (default interp)')
    run.add_argument('--max-instructions', type=positive_int, default=DEFAULT_MAX_INSTRUCTIONS,
                     metavar='N', help='instruction budget (default %(default)s)')
    run.add_argument('--stats', action='store_true',
                     help='print guest instructions, exits by reason, modeled time')
    run.add_argument('--entry', choices=ENTRIES, default='M',
                     help='the guest starts in M-mode (bare-metal, default) or in S-mode '
                          'as a kernel under the VMM\'s SBI firmware (--cpu hw)')
    run.add_argument('--non-virtualizable', action='store_true',
                     help='sensitive CSR accesses stop trapping in U-mode (Robin & Irvine '
                          '2000): watch equivalence fail')
    run.add_argument('--io', choices=IO_CHOICES, default=None,
                     help='I/O virtualization of the disk (0x10002000 register file or '
                          'virtio-blk at 0x10003000) and console (16550 or virtio-console '
                          'at 0x10004000): emulated, virtio or passthrough (an IOMMU); '
                          'needs --cpu hw (vlab/hardware/io/attach.py)')
    run.add_argument('--mmu', choices=('shadow', 'shadow-trace', 'nested', 'nested-cached'),
                     default=None,
                     help='memory virtualization (vlab/hardware/mmu_choice.py): shadow '
                          'tables (trap-emulate, bt; -trace: write-protected guest tables) '
                          'or nested paging (hw; -cached: nested TLB and page-walk cache); '
                          "default: the --cpu method's own")
    vm_accel.add_accel_argument(run)               # --accel remote (vlab/cli/vm_accel.py)
    add_output_cap_option(run)
    add_lifecycle_arguments(sub, run)      # --suspend-at, resume, image, migrate-demo



def run(args) -> int:
    if args.vm_command in LIFECYCLE_ACTIONS:
        return run_lifecycle(args)
    if args.vm_command != 'run':
        print('vlab vm: give an action: vlab vm run GUEST', file=sys.stderr)
        return EXIT_USAGE
    problem = _not_built(args) or vm_accel.accel_problem(args)
    if problem:
        print(f'vlab vm run: {problem}', file=sys.stderr)
        return EXIT_USAGE
    if args.vm_type != '1':
        return _run_hosted(args)
    from vlab.hardware.vm import VirtualMachine, VmError
    try:
        image = vm_accel.read_accel_guest(args)   # read_program, or build a .c --accel guest
        if not image.is_bare_metal():
            return _run_user_program(args)
        if args.program_args:
            raise VmError(f'{args.guest} is a bare-metal guest: it takes no arguments '
                          '(arguments go to a user program: vlab vm run -- PROGRAM ARGS)')
        vm = VirtualMachine(image, cpu=args.cpu, engine=args.engine,
                            non_virtualizable=args.non_virtualizable, entry=args.entry,
                            io=args.io, extra_devices=vm_accel.accel_devices(args),
                            mmu=args.mmu,
                            log_exits=args.stats and bool(args.accel))
    except (BootError, VmError) as exc:
        print(f'vlab vm run: error: {exc}', file=sys.stderr)
        return EXIT_USAGE
    out, _ = capped_stdio(args.output_cap, 'vlab vm run')
    echo = functools.partial(_echo_byte, out)   # both consoles, byte by byte as sent
    htif = vm.machine.htif
    if htif is not None:
        htif.console_listeners.append(echo)
    vm.machine.platform.uart.transmit_listeners.append(echo)
    try:
        if args.suspend_at is not None or args.snapshot is not None:
            return suspend_run(vm, args, out)
        result = vm.run(max_instructions=args.max_instructions)
    except KeyboardInterrupt:
        print('\nvlab vm run: interrupted', file=sys.stderr)
        return 130
    finally:
        out.flush()
    if args.stats:
        print(vm.stats().text(), file=sys.stderr)
        if vm.io is not None:
            print(vm.io.describe(), file=sys.stderr)
        vm_accel.print_accel_stats(vm)
    return _exit_status(result, image)


def _not_built(args) -> str:
    if args.guest is None:
        return ('no program: give a bare-metal GUEST, or a user program for the guest '
                'kernel after -- (vlab vm run -- hello.elf)')
    if args.cpu not in BUILT_CPUS:
        return (f'--cpu {args.cpu} is not available yet (built: '
                f'{", ".join(BUILT_CPUS)})')
    if args.vm_type not in BUILT_TYPES:
        return (f'--type {args.vm_type} is not available yet (built: type '
                f'{", ".join(BUILT_TYPES)}, the native VMM)')
    return ''


def _run_user_program(args) -> int:
    """The guest kernel boots in the VM and runs the user program ``args.guest`` with
    ``args.program_args`` (vlab/hardware/guest_kernel/boot.py)."""
    from vlab.hardware.guest_kernel.boot import boot_user_program
    from vlab.hardware.vm import VmError
    from vlab.isa.runtime import CompileError, ToolchainMissing
    if args.cpu not in KERNEL_CPUS or args.vm_type != '1' or args.entry != 'M' \
            or args.io is not None or args.non_virtualizable:
        print(f'vlab vm run: {args.guest} is a user program: the guest kernel runs it under '
              f'--cpu {" or ".join(KERNEL_CPUS)} with --type 1 (no --entry, --io, '
              '--non-virtualizable)', file=sys.stderr)
        return EXIT_USAGE
    try:
        vm = boot_user_program(args.guest, [args.guest, *args.program_args], cpu=args.cpu,
                               engine=args.engine)
    except (VmError, CompileError, ToolchainMissing) as exc:
        print(f'vlab vm run: error: {exc}', file=sys.stderr)
        return EXIT_USAGE
    out, _ = capped_stdio(args.output_cap, 'vlab vm run')
    vm.machine.platform.uart.transmit_listeners.append(functools.partial(_echo_byte, out))
    try:
        result = vm.run(max_instructions=args.max_instructions)
    except KeyboardInterrupt:
        print('\nvlab vm run: interrupted', file=sys.stderr)
        return 130
    finally:
        out.flush()
    if args.stats:
        print(vm.stats().text(), file=sys.stderr)
    return _exit_status(result, vm.image)


def _run_hosted(args) -> int:
    """--type 2 or dual (vlab/hosted/hvrun.py): the console is printed when the run ends;
    --stats adds the exit paths and world switches per exit."""
    from vlab.hardware.vm import VmError
    from vlab.hosted.hvrun import run_guest
    if args.entry != 'M' or args.io is not None or args.non_virtualizable or getattr(
            args, 'suspend_at', None) is not None or getattr(args, 'snapshot', None):
        print(f'vlab vm run: --type {args.vm_type} runs bare-metal guests only: no --entry '
              'S, --io, --non-virtualizable or suspend (use --type 1)', file=sys.stderr)
        return EXIT_USAGE
    try:
        image = read_program(args.guest)
        if not image.is_bare_metal():
            raise VmError(f'{args.guest} is not a bare-metal program (no tohost symbol)')
        done = run_guest(image, args.vm_type, cpu=args.cpu, engine=args.engine,
                         max_instructions=args.max_instructions)
    except (BootError, VmError) as exc:
        print(f'vlab vm run: error: {exc}', file=sys.stderr)
        return EXIT_USAGE
    out, _ = capped_stdio(args.output_cap, 'vlab vm run')
    forward(out, done.console)
    out.flush()
    if args.stats:
        print(done.text(), file=sys.stderr)
    if done.status == 'exit':
        return done.exit_code
    print(f'vlab vm run: {done.status}: {done.message}', file=sys.stderr)
    return EXIT_BUDGET if done.status == 'budget' else EXIT_OTHER


def _echo_byte(out, byte: int) -> None:
    forward(out, bytes([byte]))
    if byte == 10:
        out.flush()


def _exit_status(result, image) -> int:
    if result.status == 'exit':
        return result.exit_code
    if result.status == 'budget':
        print(f'vlab vm run: stopped: {result.message}', file=sys.stderr)
        return EXIT_BUDGET
    where = f'{result.pc:#010x} <{image.describe(result.pc)}>'
    if result.status == 'fault' and result.cause is not None:
        print(f'vlab vm run: {cause_text(result.cause, False)} at pc={where} '
              f'(tval={result.tval or 0:#010x}): {result.message}', file=sys.stderr)
        return exit_status(signal_for(result.cause))
    print(f'vlab vm run: {result.status} at pc={where}: {result.message}', file=sys.stderr)
    return EXIT_OTHER


__all__ = ['add_arguments', 'run']
