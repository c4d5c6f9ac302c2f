"""Two versions of vlab side by side in one run: did a change make an engine slower?

    .venv/bin/python benchmarks/compare_commits.py BASE [--this REV] [--bench bench_dbt.py]
        [--rounds 3] [-- ARGS FOR THE BENCHMARK]

BASE is any git revision (``HEAD~1``, a commit id).  The script checks BASE (and ``--this``
REV, if given; else this working tree is used) out into temporary worktrees, then runs the
same benchmark script (default ``bench_dbt.py --quick``) alternately in both, ``--rounds``
times each, so both see the same machine load.  Each run imports the vlab of its own tree
(``PYTHONPATH``), whatever the virtual environment has installed.  From every line of
the benchmarks' tables that names a vlab engine it takes the MIPS and the ratio column
(speed relative to the interpreter with paging off, measured in that same run) and
prints, per line, the best MIPS and the median ratio of each version.  Ratios are what a
change must not make worse: they compare two engines measured in the same process
moments apart, so they are far steadier than MIPS on a loaded machine.  Wall-clock
figures: benchmark only, never a test.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# "vlab DBT, paging off   8980006   0.183   49.10   5.12  0xba1eb400" (bench_dbt) or
# "vlab dbt, Sv32 on      505008    0.041   12.27   1.92x 0x2573636c" (bench_isa)
ROW = re.compile(r'^(?P<label>vlab .+?)\s{2,}(?P<count>\d+)\s+(?P<seconds>[\d.]+)\s+'
                 r'(?P<mips>[\d.]+)\s+(?P<ratio>[\d.]+)x?\s')


def measure(tree: Path, bench: str, args: list[str]) -> dict[tuple[str, str], tuple]:
    """Run ``benchmarks/<bench>`` in ``tree``; {(section, label): (mips, ratio)}."""
    env = {**os.environ, 'PYTHONPATH': str(tree)}
    done = subprocess.run([sys.executable, f'benchmarks/{bench}', *args], cwd=tree, env=env,
                          capture_output=True, text=True, check=True)
    rows, section = {}, ''
    for line in done.stdout.splitlines():
        if line.startswith('## '):
            section = line[3:].split('(')[0].strip()
        match = ROW.match(line)
        if match:
            rows[(section, match['label'].strip())] = (float(match['mips']),
                                                       float(match['ratio']))
    if not rows:
        raise SystemExit(f'{bench} in {tree} printed no vlab rows:\n{done.stdout}')
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('base', help='git revision to compare with (e.g. HEAD~1)')
    parser.add_argument('--this', help='git revision to measure (default: the working tree)')
    parser.add_argument('--bench', default='bench_dbt.py')
    parser.add_argument('--rounds', type=int, default=3)
    argv = sys.argv[1:]
    cut = argv.index('--') if '--' in argv else len(argv)
    options = parser.parse_args(argv[:cut])
    args = argv[cut + 1:] or (['--quick'] if options.bench == 'bench_dbt.py' else [])
    with tempfile.TemporaryDirectory() as scratch:
        trees = {'base': options.base, 'this': options.this}
        paths = {}
        for name, revision in trees.items():
            paths[name] = ROOT if revision is None else Path(scratch) / name
            if revision is not None:
                subprocess.run(['git', 'worktree', 'add', '--detach', '-q', str(paths[name]),
                                revision], cwd=ROOT, check=True)
        try:
            runs = {'base': [], 'this': []}
            for round_ in range(options.rounds):
                print(f'round {round_ + 1}/{options.rounds} ...', file=sys.stderr)
                for name in runs:
                    runs[name].append(measure(paths[name], options.bench, args))
        finally:
            for name, revision in trees.items():
                if revision is not None:
                    subprocess.run(['git', 'worktree', 'remove', '--force', str(paths[name])],
                                   cwd=ROOT, check=False)
    report(options.base, options.this or 'the working tree', runs)


def report(base_name: str, this_name: str, runs: dict) -> None:
    keys = [key for key in runs['this'][0] if all(key in r for r in runs['base'] + runs['this'])]
    print(f'{"section / engine":<58} {"MIPS base":>9} {"MIPS this":>9} '
          f'{"ratio base":>10} {"ratio this":>10}')
    for key in keys:
        base = [r[key] for r in runs['base']]
        this = [r[key] for r in runs['this']]
        label = f'{key[0][:24]} / {key[1]}'
        print(f'{label:<58} {max(m for m, _ in base):>9.2f} {max(m for m, _ in this):>9.2f} '
              f'{statistics.median(r for _, r in base):>10.2f} '
              f'{statistics.median(r for _, r in this):>10.2f}')
    print(f'(base = {base_name}; this = {this_name}; best MIPS, median ratio; wall-clock)')


if __name__ == '__main__':
    main()
