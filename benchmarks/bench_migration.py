"""Live migration: pre-copy vs post-copy over dirtying rate and bandwidth; clone cost.

Reproduces the shape of Clark et al. (NSDI 2005) and Hines & Gopalan (VEE 2009) on vlab's
real mechanisms (vlab/hardware/lifecycle/): the chapter-6 guest (a 64-page writable
working set in 144 pages of RAM, vlab/lab/lifecycle/workload.py) at four dirtying rates,
migrated over links of 100 Mbit/s, 1 Gbit/s and 10 Gbit/s (100 us latency).  For each it
prints, side by side, pre-copy's rounds, downtime, total time and pages sent per page of
memory, and post-copy's downtime, total time, network faults and bytes, with the ratios
post/pre.  Every destination run is checked against the guest's unmoved exit status.

How times scale: convergence depends on the ratio of the dirtying rate to the link's page
rate; with both fixed per page of memory, every time grows linearly with memory.  The
last column scales pre-copy's total time to a 1 GiB VM (x1,820).  Downtime scales with
the writable working set instead (here 44% of memory; a few percent in the papers'
servers).  Pre-copy's rate follows Xen: 100 Mbit/s in round 1, at most 500 Mbit/s, so a
link faster than 500 Mbit/s shortens only the stop-and-copy (sent at full bandwidth); a
busy or diabolical guest makes pre-copy give up after 2-3 rounds (dirtying faster than
it may send) and pay its whole working set as downtime.

Also measured: provisioning by copy-on-write clone -- file size and wall-clock time per
clone for a 4 MiB and a 64 MiB template (the same: O(1) in the template's data).

    .venv/bin/python benchmarks/bench_migration.py [--quick]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time

from vlab.hardware.lifecycle.disk_image import CLUSTER, DiskImage, clone, create
from vlab.hardware.lifecycle.link import Link
from vlab.hardware.lifecycle.postcopy import postcopy
from vlab.hardware.lifecycle.precopy import precopy
from vlab.lab.lifecycle.migration_lab import PAPER_PAGES
from vlab.lab.lifecycle.workload import RATES, dirtying_rate, new_vm

BANDWIDTHS = (100e6, 1e9, 10e9)


def finish(vm):
    result = vm.run(max_instructions=10**8)
    return result.status, result.exit_code


def migration_table(bandwidths, rates) -> None:
    print(f'{"guest":>10} {"pages/s":>10} {"link":>9} | {"rounds":>6} {"down ms":>8} '
          f'{"total ms":>9} {"sent/mem":>8} | {"down ms":>8} {"total ms":>9} {"faults":>6} '
          f'| {"bytes post/pre":>14} {"down post/pre":>13} | {"1GiB pre total s":>16} ok')
    for rate in rates:
        expected = finish(new_vm(rate))
        for bandwidth in bandwidths:
            pre, dest = precopy(new_vm(rate), Link(bandwidth, 100e-6))
            post, dest2 = postcopy(new_vm(rate), Link(bandwidth, 100e-6))
            ok = finish(dest) == expected and finish(dest2) == expected
            pages = pre.memory_pages
            print(f'{rate:>10} {dirtying_rate(rate):>10,.0f} {bandwidth / 1e6:>6.0f} Mb | '
                  f'{len(pre.rounds):>6} {pre.downtime * 1e3:>8.2f} '
                  f'{pre.total_time * 1e3:>9.1f} {pre.pages_sent / pages:>8.2f} | '
                  f'{post.downtime * 1e3:>8.2f} {post.total_time * 1e3:>9.1f} '
                  f'{post.network_faults:>6} | {post.bytes_sent / pre.bytes_sent:>14.2f} '
                  f'{post.downtime / pre.downtime:>13.3f} | '
                  f'{pre.total_time * PAPER_PAGES / pages:>16.1f} {"yes" if ok else "NO"}')


def clone_table(sizes_mib=(4, 64), clones=200) -> None:
    print(f'\n{"template":>9} | {"clone bytes":>11} {"us per clone":>12} | '
          f'{"full copy bytes":>15} {"ratio":>9}')
    for mib in sizes_mib:
        with tempfile.TemporaryDirectory() as tmp:
            template = os.path.join(tmp, 't.img')
            create(template, mib << 20)
            with DiskImage(template, writable=True) as image:
                chunk = bytes(range(256)) * (CLUSTER // 256)
                for c in range((mib << 20) // CLUSTER):
                    image.write(c * CLUSTER, chunk)
            start = time.perf_counter()
            for i in range(clones):
                clone(template, os.path.join(tmp, f'c{i}.img'))
            per = (time.perf_counter() - start) / clones
            size = os.path.getsize(os.path.join(tmp, 'c0.img'))
            full = os.path.getsize(template)
            print(f'{mib:>5} MiB | {size:>11} {per * 1e6:>12.0f} | {full:>15} '
                  f'{full / size:>9.0f}x')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--quick', action='store_true', help='1 Gbit/s only, two rates')
    args = parser.parse_args()
    if args.quick:
        migration_table((1e9,), ('idle', 'diabolical'))
    else:
        migration_table(BANDWIDTHS, tuple(RATES))
    clone_table()


if __name__ == '__main__':
    main()
