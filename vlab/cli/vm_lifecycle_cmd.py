"""The VM lifecycle in the ``vlab vm`` command: suspend, resume, disk images, migration.

* ``vlab vm run GUEST --suspend-at N --snapshot FILE``: run the guest for N instructions,
  print its output so far, write the snapshot (atomically) and exit 0
  (vlab/hardware/lifecycle/snapshot_file.py);
* ``vlab vm resume FILE``: verify the snapshot, build the VM on a fresh modeled host,
  print the rest of the guest's output and exit with its status;
* ``vlab vm image create FILE --size BYTES`` / ``clone TEMPLATE FILE [--count N]`` /
  ``info FILE``: copy-on-write disk images (vlab/hardware/lifecycle/disk_image.py);
* ``vlab vm migrate-demo [GUEST] --at N --method precopy|postcopy [--bandwidth RATE]
  [--latency T] [--to-cpu METHOD] [--stats]``: run the guest (default: a guest
  dirtying ``--wws`` pages)
  for N instructions, migrate it live to a second modeled host (under another
  CPU-virtualization method with ``--to-cpu``), print the rounds, pages
  per round, downtime, total time and bytes sent, then the guest's own output as it
  finishes on the destination; exits with the guest's status.

Bad input (a corrupted or truncated snapshot, a missing backing file, a rate that is
not a rate) is one line on stderr and exit status 2; a link that fails mid-migration
leaves the guest running on the source and says so.
"""
from __future__ import annotations

import sys

from vlab.cli.arguments import byte_count, positive_int

EXIT_USAGE, EXIT_BUDGET = 2, 124
ACTIONS = ('resume', 'image', 'migrate-demo')
DEFAULT_BUDGET = 100_000_000
DEMO_RAM = 256 << 10


def add_lifecycle_arguments(sub, run_parser) -> None:
    """Add ``--suspend-at/--snapshot`` to ``vm run`` and the lifecycle actions."""
    run_parser.add_argument('--suspend-at', type=positive_int, metavar='N',
                            help='suspend the VM after N guest instructions')
    run_parser.add_argument('--snapshot', metavar='FILE',
                            help='with --suspend-at: the snapshot file to write')
    resume = sub.add_parser('resume', help='resume a suspended VM from its snapshot file',
                            description='resume a suspended VM on a fresh modeled host')
    resume.add_argument('snapshot', metavar='FILE')
    resume.add_argument('--max-instructions', type=positive_int, default=DEFAULT_BUDGET,
                        metavar='N')
    resume.add_argument('--stats', action='store_true',
                        help='print the snapshot\'s sections and the VM\'s statistics')
    image = sub.add_parser('image', help='copy-on-write VM disk images',
                           description='copy-on-write VM disk images (VLABDISK)')
    isub = image.add_subparsers(dest='image_command', metavar='ACTION')
    create = isub.add_parser('create', help='a new empty image')
    create.add_argument('file')
    create.add_argument('--size', type=byte_count, required=True, metavar='BYTES')
    clone = isub.add_parser('clone', help='clones of a template (copy-on-write)')
    clone.add_argument('template')
    clone.add_argument('file', help='the clone (with --count: a prefix, FILE-1, FILE-2...)')
    clone.add_argument('--count', type=positive_int, default=1, metavar='N')
    info = isub.add_parser('info', help='size, backing chain and allocated clusters')
    info.add_argument('file')
    demo = sub.add_parser('migrate-demo', help='live-migrate a running guest between two '
                          'modeled hosts', description='live-migrate a running guest')
    demo.add_argument('guest', nargs='?', help='a bare-metal guest (default: a guest '
                      'dirtying --wws pages, vlab/hardware/lifecycle/guests.py)')
    demo.add_argument('--at', type=positive_int, default=1000, metavar='N',
                      help='start migrating after N guest instructions')
    demo.add_argument('--method', choices=('precopy', 'postcopy'), default='precopy')
    demo.add_argument('--bandwidth', default='1G', metavar='RATE',
                      help='link bandwidth in bit/s, e.g. 1G, 100M (default 1G)')
    demo.add_argument('--latency', default='100us', metavar='T',
                      help='one-way latency, e.g. 100us, 1ms (default 100us)')
    demo.add_argument('--cpu', choices=('trap-emulate', 'bt', 'hw'), default='trap-emulate')
    demo.add_argument('--to-cpu', choices=('trap-emulate', 'bt', 'hw'), default=None,
                      help='the destination\'s CPU virtualization (default: the same)')
    demo.add_argument('--dest-ram', type=positive_int, default=None, metavar='BYTES',
                      help='free RAM of the destination host (default: enough)')
    demo.add_argument('--engine', choices=('interp', 'dbt'), default='dbt')
    demo.add_argument('--guest-ram', type=positive_int, default=DEMO_RAM, metavar='BYTES',
                      help='guest RAM (default 256 KiB: every page crosses the link)')
    demo.add_argument('--wws', type=positive_int, default=16, metavar='PAGES',
                      help='default guest: its writable working set')
    demo.add_argument('--dirty', type=positive_int, default=2, metavar='PAGES',
                      help='default guest: pages written per iteration')
    demo.add_argument('--work', type=byte_count, default=100, metavar='N',
                      help='default guest: delay-loop iterations between writes')
    demo.add_argument('--stats', action='store_true',
                      help='also print the destination VM\'s statistics')


def run_lifecycle(args) -> int:
    from vlab.hardware.lifecycle.disk_image import DiskImageError
    from vlab.hardware.lifecycle.snapshot_file import SnapshotError
    from vlab.hardware.lifecycle.vmstate import VmStateError
    from vlab.hardware.vm import VmError
    action = {'resume': _resume, 'image': _image, 'migrate-demo': _migrate}
    try:
        return action[args.vm_command](args)
    except (SnapshotError, DiskImageError, VmStateError, VmError, ValueError) as exc:
        print(f'vlab vm {args.vm_command}: error: {exc}', file=sys.stderr)
        return EXIT_USAGE


def suspend_run(vm, args, out) -> int:
    """``vm run --suspend-at N --snapshot FILE`` after the VM was built."""
    from vlab.hardware.lifecycle.snapshot_file import SnapshotError, section_sizes, to_bytes
    from vlab.hardware.lifecycle.suspend import suspend
    from vlab.hardware.lifecycle.vmstate import VmStateError, capture
    if args.snapshot is None or args.suspend_at is None:
        print('vlab vm run: --suspend-at N and --snapshot FILE go together', file=sys.stderr)
        return EXIT_USAGE
    result = vm.run(max_instructions=args.suspend_at)
    out.flush()
    if result.status != 'budget':
        print(f'vlab vm run: the guest stopped ({result.status}) before instruction '
              f'{args.suspend_at}; nothing to suspend', file=sys.stderr)
        return result.exit_code if result.status == 'exit' else EXIT_USAGE
    try:
        size = suspend(vm, args.snapshot, args.engine)
    except (SnapshotError, VmStateError) as exc:
        print(f'vlab vm run: error: {exc}', file=sys.stderr)
        return EXIT_USAGE
    print(f'vlab vm run: suspended after {vm.machine.hart.instret} instructions to '
          f'{args.snapshot} ({size} bytes)', file=sys.stderr)
    if args.stats:
        sizes = section_sizes(to_bytes(capture(vm, args.engine)))
        for name, (raw, stored) in sizes.items():
            print(f'  {name:8s} {raw:9d} bytes, {stored:8d} stored', file=sys.stderr)
    return 0


def _echo(vm):
    def echo(byte):
        sys.stdout.write(chr(byte))
    if vm.machine.htif is not None:
        vm.machine.htif.console_listeners.append(echo)
    vm.machine.platform.uart.transmit_listeners.append(echo)


def _guest_status(result, what: str) -> int:
    sys.stdout.flush()
    if result.status == 'exit':
        return result.exit_code
    if result.status == 'budget':
        print(f'vlab vm {what}: stopped: {result.message}', file=sys.stderr)
        return EXIT_BUDGET
    print(f'vlab vm {what}: {result.status} at pc={result.pc:#010x}: {result.message}',
          file=sys.stderr)
    return 134


def _resume(args) -> int:
    from vlab.hardware.lifecycle.snapshot_file import read_snapshot
    from vlab.hardware.lifecycle.vmstate import restore
    state = read_snapshot(args.snapshot)
    vm = restore(state)
    _echo(vm)
    result = vm.run(max_instructions=args.max_instructions)
    if args.stats:
        print(f'resumed at instruction {state.instret} ({state.config.cpu}, '
              f'{state.config.engine}; {len(state.pages)} pages)', file=sys.stderr)
        print(vm.stats().text(), file=sys.stderr)
    return _guest_status(result, 'resume')


def _image(args) -> int:
    from vlab.hardware.lifecycle import disk_image
    if args.image_command == 'create':
        disk_image.create(args.file, args.size)
        print(f'{args.file}: {args.size} bytes, empty')
    elif args.image_command == 'clone':
        names = [args.file] if args.count == 1 else [f'{args.file}-{i}'
                                                     for i in range(1, args.count + 1)]
        for name in names:
            disk_image.clone(args.template, name)
        print(f'{len(names)} clone(s) of {args.template}: {", ".join(names[:4])}'
              + (' ...' if len(names) > 4 else ''))
    elif args.image_command == 'info':
        with disk_image.DiskImage(args.file) as image:
            for key, value in image.info().items():
                print(f'{key}: {" <- ".join(value) if isinstance(value, list) else value}')
    else:
        print('vlab vm image: give an action: create, clone or info', file=sys.stderr)
        return EXIT_USAGE
    return 0


def _migrate(args) -> int:
    from vlab.hardware.lifecycle.destination import DestinationError
    from vlab.hardware.lifecycle.guests import dirtying_guest, guest_ram_needed
    from vlab.hardware.lifecycle.link import Link, parse_rate, parse_time
    from vlab.hardware.lifecycle.postcopy import postcopy
    from vlab.hardware.lifecycle.precopy import precopy
    from vlab.hardware.vm import VirtualMachine
    from vlab.os.boot import BootError, read_program
    link = Link(parse_rate(args.bandwidth), parse_time(args.latency))
    try:
        image = (read_program(args.guest) if args.guest else
                 dirtying_guest(wws_pages=args.wws, dirty=args.dirty, work=args.work,
                                iters=20_000, static_pages=8, print_every=400))
    except BootError as exc:
        raise ValueError(str(exc)) from None
    ram = args.guest_ram if args.guest else max(args.guest_ram, guest_ram_needed(args.wws, 8))
    vm = VirtualMachine(image, cpu=args.cpu, engine=args.engine, guest_ram=ram)
    result = vm.run(max_instructions=args.at)
    if result.status != 'budget':
        print(f'vlab vm migrate-demo: the guest stopped ({result.status}) before '
              f'instruction {args.at}', file=sys.stderr)
        return EXIT_USAGE
    migrate = precopy if args.method == 'precopy' else postcopy
    try:
        report, dest = migrate(vm, link, dest_cpu=args.to_cpu, dest_ram=args.dest_ram)
    except DestinationError as exc:
        print(f'vlab vm migrate-demo: {exc}', file=sys.stderr)
        return EXIT_USAGE
    print(report.text())
    running = dest if dest is not None else vm
    if dest is None:
        print(f'the guest continues on the source ({report.status})')
    result = running.run(max_instructions=DEFAULT_BUDGET)
    sys.stdout.write(running.console.decode('utf-8', 'replace'))
    if args.stats:
        print(running.stats().text(), file=sys.stderr)
    return _guest_status(result, 'migrate-demo')


__all__ = ['ACTIONS', 'add_lifecycle_arguments', 'run_lifecycle', 'suspend_run']
