"""``vlab run --engine dbt``: same output and exit status as the interpreter; ``--stats``
adds the translator's counters."""
from __future__ import annotations

import pytest

from vlab.cli import main
from vlab.isa.runtime import find_compiler

LOOP = """
    .text
_start:
    li a0, 0
    li t0, 3000
1:  addi a0, a0, 7
    andi a0, a0, 255
    addi t0, t0, -1
    bnez t0, 1b
    slli a0, a0, 1
    ori a0, a0, 1          # exit status a0 (via HTIF: (code << 1) | 1)
    la t1, tohost
    sw a0, 0(t1)
    sw zero, 4(t1)
2:  j 2b
    .data
    .align 3
tohost: .word 0, 0
"""

C_PROGRAM = r"""
#include "vlab.h"
int main(void) {
    unsigned h = 5381;
    for (int i = 0; i < 20000; i++) h = h * 33 + (i & 0xff);
    printf("hash %u\n", h);
    return (int)(h & 63);
}
"""


def run_cli(capfd, *argv):
    status = main(['run', *argv])
    out, err = capfd.readouterr()
    return status, out, err


@pytest.mark.parametrize('stats', [False, True])
def test_assembly_program_same_exit_status(tmp_path, capfd, stats):
    path = tmp_path / 'loop.s'
    path.write_text(LOOP)
    extra = ['--stats'] if stats else []
    interp = run_cli(capfd, str(path), '--engine', 'interp', *extra)
    dbt = run_cli(capfd, str(path), '--engine', 'dbt', *extra)
    assert interp[0] == dbt[0] == (3000 * 7) % 256
    assert interp[1] == dbt[1]
    if stats:
        retired = [line for line in interp[2].splitlines() if 'instructions retired' in line]
        assert retired and retired[0] in dbt[2]
        for counter in ('blocks translated', 'cache hits', 'cache misses', 'traces formed',
                        'flushes'):
            assert counter in dbt[2] and counter not in interp[2]


@pytest.mark.toolchain
@pytest.mark.skipif(find_compiler() is None, reason='needs the pinned ziglang (pip install -e .)')
def test_c_program_same_output_and_status(tmp_path, capfd):
    from vlab.isa.runtime import compile_c
    source = tmp_path / 'hash.c'
    source.write_text(C_PROGRAM)
    elf = compile_c([source], tmp_path / 'hash.elf')
    interp = run_cli(capfd, str(elf), '--engine', 'interp')
    dbt = run_cli(capfd, str(elf), '--engine', 'dbt', '--stats')
    assert interp[0] == dbt[0] and interp[1] == dbt[1]
    assert interp[1].startswith('hash ')
    counters = dict(line.split(': ', 1) for line in dbt[2].splitlines() if ': ' in line)
    assert int(counters['traces formed']) >= 1 and counters['blocks translated'].isdigit()
