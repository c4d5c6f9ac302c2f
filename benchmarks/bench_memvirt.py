"""Native vs shadow vs nested paging: walk references and modeled time, side by side.

Adams & Agesen (ASPLOS 2006) and Bhargava et al. (ASPLOS 2008) found the same shape:
shadow paging keeps the native walk length (2 references per TLB miss for Sv32) but
pays VM exits whenever the guest changes its page tables; nested paging never exits for
that but every TLB miss walks two dimensions (up to n*m + n + m = 8 references for Sv32
over Sv32x4), which a nested TLB and a page-walk cache shorten.

This script runs the guest of vlab/lab/memvirt/workloads.py -- ``pt-heavy`` (4 PTE
updates and an sfence.vma every round) and ``compute`` (the tables never change) -- with
48 data pages touched per round (more than the 32-entry TLB) on the bare machine, under
trap-and-emulate (shadow: rebuilt after each sfence.vma; shadow-trace: guest page
tables write-protected, per-PTE updates) and under the hardware-assisted VMM (nested; also with both
walk caches on), and prints per run: hardware page-walk references per TLB miss, TLB
misses, walk references and VM exits per 1,000 guest instructions, and the modeled cycles
per 1,000 instructions with the ratio to native.  All counts are the ledger's.

    .venv/bin/python benchmarks/bench_memvirt.py [--pages 48] [--rounds 20]
"""
from __future__ import annotations

import argparse

from vlab.lab.memvirt.measure import measure

RUNS = (('native', {}), ('shadow', {}), ('shadow-trace', {}), ('nested', {}),
        ('nested+ntlb+pwc', dict(nested_tlb=True, walk_cache=True)))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--pages', type=int, default=48)
    parser.add_argument('--rounds', type=int, default=20)
    args = parser.parse_args(argv)
    header = (f'{"workload":9} {"mmu":16} {"refs/miss":>9} {"miss/1k":>8} '
              f'{"refs/1k":>8} {"exits/1k":>8} {"cycles/1k":>10} {"vs native":>9}')
    print(header)
    print('-' * len(header))
    for kind in ('pt-heavy', 'compute'):
        native = None
        for label, switches in RUNS:
            m = measure(label.split('+')[0], kind=kind, pages=args.pages,
                        rounds=args.rounds, **switches)
            native = native or m
            print(f'{kind:9} {label:16} {m.refs_per_miss:9.2f} '
                  f'{m.per_kilo(m.tlb_misses):8.1f} {m.per_kilo(m.walk_refs):8.1f} '
                  f'{m.per_kilo(m.exits):8.2f} {m.cycles_per_kilo:10.0f} '
                  f'{m.cycles / native.cycles * native.instructions / m.instructions:8.2f}x')


if __name__ == '__main__':
    main()
