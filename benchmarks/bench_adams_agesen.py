"""Adams & Agesen (ASPLOS 2006) style microbenchmarks: bare vs trap-emulate vs bt vs hw.

Each operation of vlab/lab/cpuvirt/microbench.py (a system call, a CSR write, an MMIO
read, an illegal-instruction trap handled by the guest kernel, a call/ret) is a
bare-metal guest whose S-mode kernel performs it in a loop.  For every operation and
method this script prints, side by side in one run:

* the **modeled** cycles per operation (ledger difference of two runs / iterations,
  vlab/host/costs.py; ``--vm-exit`` re-prices one VM exit) and the ratio to bare;
* VM exits per operation;
* the **wall clock** of this Python model: CPU time (``time.process_time``, best of
  ``--repeat``) of one run of ``--iterations`` operations, guest loading included, and
  its ratio to the bare machine's.  This measures the simulator, not a processor: it
  says how much Python work an exit is, which is not what the modeled cycles say.

    .venv/bin/python benchmarks/bench_adams_agesen.py [--iterations N] [--repeat R]
                                                      [--vm-exit CYCLES]
"""
from __future__ import annotations

import argparse
import time

from vlab.host.costs import CostModel
from vlab.lab.cpuvirt.microbench import METHODS, OPERATIONS, operation_cost, run


def wall_clock(operation: str, method: str, iterations: int, repeat: int) -> float:
    """Best CPU time of one uncached run of the guest."""
    best = float('inf')
    for _ in range(repeat):
        start = time.process_time()
        run.__wrapped__(operation, method, iterations)
        best = min(best, time.process_time() - start)
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--iterations', type=int, default=2000)
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--vm-exit', type=int, default=None,
                        help='cycles of one VM exit (default: the cost model\'s)')
    args = parser.parse_args(argv)
    if args.iterations < 1 or args.repeat < 1:
        parser.error('--iterations and --repeat must be at least 1')
    if args.vm_exit is not None and args.vm_exit <= 0:
        parser.error('--vm-exit must be a positive number of cycles')
    costs = CostModel.default()
    if args.vm_exit is not None:
        costs = costs.with_overrides(vm_exit=args.vm_exit)
    print(f'modeled: cycles per operation (VM exit = {costs.cycles_of("vm_exit"):g} cycles); '
          f'wall: CPU seconds for {args.iterations} operations, best of {args.repeat}')
    header = (f'{"operation":<13}{"method":<14}{"cycles/op":>10}{"x bare":>8}'
              f'{"exits/op":>9}{"wall s":>9}{"x bare":>8}')
    print(header)
    print('-' * len(header))
    for operation in OPERATIONS:
        bare_cycles = operation_cost(operation, 'bare').cycles(costs)
        bare_wall = wall_clock(operation, 'bare', args.iterations, args.repeat)
        for method in METHODS:
            cost = operation_cost(operation, method)
            cycles = cost.cycles(costs)
            wall = bare_wall if method == 'bare' else wall_clock(
                operation, method, args.iterations, args.repeat)
            print(f'{operation:<13}{method:<14}{cycles:>10,.0f}{cycles / bare_cycles:>7.1f}x'
                  f'{cost.exits:>9.1f}{wall:>9.3f}{wall / bare_wall:>7.1f}x')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
