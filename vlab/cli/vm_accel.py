"""``vlab vm run GUEST --cpu hw --accel remote``: the VM gets the host's accelerator (vCUDA).

The VM gets one more virtio device, ``virtio-accel`` at 0x1000_7000
(vlab/hardware/io/attach.py ``attach_virtio_device``), whose back end runs each
marshaled cuda.h call on a modeled accelerator in the host
(vlab/library/accel/virtio_accel.py) for this VM as its own tenant.  The guest is a
bare-metal program linked with the virtio front end
(vlab/library/accel/vmguest/vcuda_virtio.c); GUEST may be its ELF or a C source, which
is then built with that front end (pinned zig) before the run.  ``--stats`` adds the
accelerator calls, VM exits per call and the modeled time.

Only with ``--cpu hw`` and ``--type 1`` (the device's register page must exit through the
G-stage table of the hardware-assisted VMM), and not with suspend or snapshots (the
device's state is not part of a snapshot): anything else is a usage error.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ACCEL_CHOICES = ('remote',)


def add_accel_argument(run) -> None:
    run.add_argument('--accel', choices=ACCEL_CHOICES, default=None,
                     help='remote: attach the host accelerator as a virtio device '
                          '(vCUDA); GUEST is a bare-metal cuda.h program (ELF or .c); '
                          'needs --cpu hw, --type 1')


def accel_problem(args) -> str:
    """A usage error for a combination --accel cannot run, or ''."""
    if getattr(args, 'accel', None) is None:
        return ''
    if args.cpu != 'hw':
        return (f'--accel remote needs --cpu hw (not {args.cpu}): the accelerator is a '
                'virtio device whose register page exits through the G-stage table')
    if args.vm_type != '1':
        return (f'--accel remote runs under the native VMM (--type 1), not --type '
                f'{args.vm_type}')
    if getattr(args, 'suspend_at', None) is not None or getattr(args, 'snapshot', None):
        return ('--accel remote cannot be suspended or snapshotted: the accelerator\'s '
                'state (its device memory) is not part of a VM snapshot')
    return ''


def accel_devices(args) -> list:
    """``extra_devices`` for the VM: the accelerator, or nothing without --accel."""
    if getattr(args, 'accel', None) is None:
        return []
    from vlab.library.accel.vmguest.run import attach_args
    return attach_args(client='vm0')


def read_accel_guest(args):
    """The guest image; a ``.c`` GUEST is built first with the virtio front end."""
    from vlab.os.boot import read_program
    if getattr(args, 'accel', None) is None or not str(args.guest).endswith('.c'):
        return read_program(args.guest)
    from vlab.hardware.vm import VmError
    from vlab.isa.elf import load_elf
    from vlab.isa.runtime.driver import CompileError, ToolchainMissing
    from vlab.library.accel.vmguest.build import build_vm_program
    if not Path(args.guest).is_file():
        raise VmError(f'{args.guest}: no such file')
    with tempfile.TemporaryDirectory(prefix='vlab-accel-') as scratch:
        try:
            out = build_vm_program(Path(args.guest), Path(scratch) / 'guest.elf')
        except (CompileError, ToolchainMissing) as exc:
            raise VmError(f'cannot build {args.guest} with the virtio front end:\n{exc}') \
                from None
        return load_elf(out)


def print_accel_stats(vm) -> None:
    """The accelerator part of --stats (stderr)."""
    from vlab.library.accel.vmguest.run import describe_accel
    for transport in getattr(vm, 'extra_devices', ()):
        print(describe_accel(vm, transport), file=sys.stderr)


__all__ = ['ACCEL_CHOICES', 'accel_devices', 'accel_problem', 'add_accel_argument',
           'print_accel_stats', 'read_accel_guest']
