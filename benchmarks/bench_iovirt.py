"""Exits and modeled time per KiB and per console line: emulation vs virtio vs passthrough.

The three I/O methods of vlab/hardware/io/attach.py, side by side, each running the same
bare-metal C guest (vlab/hardware/io/guest/iodrv.c) under the hardware-assisted VMM:

* ``emulated``     the register-file disk and the 16550 UART are models in the VMM: every
                   register access is an MMIO exit (5 per 4 KiB disk command, 2 per
                   console character: an LSR poll and a THR store);
* ``virtio``       virtio-blk and virtio-console over virtio-mmio: requests are rings in
                   guest memory, one exit (QueueNotify) per batch of ``--batch`` requests;
* ``passthrough``  the disk is assigned to the guest (its page in the G-stage, its DMA
                   through the IOMMU) and the UART mapped: no exits at all.

Reported per unit (a KiB read or written, a 32-byte console line) as the *marginal* cost:
a job of N units minus the same job of none, divided by N (vlab/hardware/io/measure.py),
so device set-up is not counted.  Modeled time is the ledger's cycles (vlab/host/costs.py:
``vm_exit`` 1,500, ``device_access`` 250, ``virtq_descriptor`` 40, ``dma_byte`` 1 ...),
not wall-clock time; the ratio column divides by passthrough.  The shape to expect is
the one of the Xen split-driver and virtio papers (Barham et al. 2003; Russell 2008,
"virtio: towards a de-facto standard for virtual I/O devices"): emulation pays exits per
register, the paravirtual interface per batch, direct assignment nothing but the device.

The network part sends ``--frames`` frames of 1 KiB from one VM to another through the
host bridge (vlab/hardware/io/bridge.py): virtio-net (``--batch`` frames per kick), or
the register-programmed card (vlab/hardware/io/register_nic.py: 4 register accesses per
frame) emulated or assigned; the link's modeled latency and bandwidth are part of the
sender's cycles.

    .venv/bin/python benchmarks/bench_iovirt.py [--kib 64] [--lines 32] [--batch 8]
                                                [--frames 32]
"""
from __future__ import annotations

import argparse

from vlab.hardware.io.attach import IO_METHODS
from vlab.hardware.io.measure import network_per_kib, per_unit


def table(op: str, units: int, batch: int, unit: str) -> list[str]:
    rows = {m: per_unit(m, op, units, batch) for m in IO_METHODS}
    base = rows['passthrough'].cycles
    lines = [f'{op} ({units} {unit}s, virtio batch {batch})',
             f'  {"method":<12} {"exits/" + unit:>12} {"cycles/" + unit:>14} {"x passthrough":>14}']
    for method, row in rows.items():
        lines.append(f'  {method:<12} {row.exits:>12.2f} {row.cycles:>14.0f} '
                     f'{row.cycles / base:>14.2f}')
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--kib', type=int, default=64)
    parser.add_argument('--lines', type=int, default=32)
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--frames', type=int, default=32)
    args = parser.parse_args(argv)
    out = []
    out += table('read', args.kib, args.batch, 'KiB')
    out += table('write', args.kib, args.batch, 'KiB')
    out += table('console', args.lines, args.batch, 'line')
    out.append('virtio read: exits per KiB by batch size (requests of 4 KiB per kick)')
    for batch in (1, 2, 4, 8, 16):
        row = per_unit('virtio', 'read', args.kib, batch)
        out.append(f'  batch {batch:>2}: {row.exits:.3f} exits/KiB, {row.cycles:.0f} cycles/KiB')
    out.append(f'network: {args.frames} frames of 1 KiB to a second VM through the host '
               'bridge (link: 10 us per frame + 8 ns per byte)')
    out.append(f'  {"method":<12} {"exits/KiB":>12} {"cycles/KiB":>14} {"x passthrough":>14}')
    rows = {m: network_per_kib(m, args.frames, args.batch) for m in IO_METHODS}
    for method, row in rows.items():
        out.append(f'  {method:<12} {row.exits:>12.3f} {row.cycles:>14.0f} '
                   f'{row.cycles / rows["passthrough"].cycles:>14.2f}')
    print('\n'.join(out))
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
