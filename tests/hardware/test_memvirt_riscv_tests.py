"""The riscv-tests ``v`` environment (the tests run in S/U-mode under their own Sv32 page
tables, demand-paged by their own kernel) under every --mmu: shadow with tracing and
nested with the walk caches must give the bare machine's result (exit code 0).

As tests/hardware/test_equivalence.py: nothing of riscv-tests is committed; point
``VLAB_RISCV_TESTS`` at a directory of built rv32*-v-* ELF files.
"""
import os
from pathlib import Path

import pytest

from vlab.hardware.vm import VirtualMachine
from vlab.isa.elf import load_elf

DIRECTORY = os.environ.get('VLAB_RISCV_TESTS')
pytestmark = pytest.mark.skipif(not DIRECTORY, reason='set VLAB_RISCV_TESTS to a build of '
                                'riscv-tests (rv32*-v-*) to run them')
TESTS = sorted(p for p in Path(DIRECTORY or '.').glob('rv32u*-v-*') if not p.suffix)


@pytest.mark.parametrize('cpu, mmu', [('trap-emulate', 'shadow'),
                                      ('trap-emulate', 'shadow-trace'),
                                      ('hw', 'nested'), ('hw', 'nested-cached')])
def test_every_v_environment_test_passes(cpu, mmu):
    assert TESTS, f'no rv32u*-v-* tests in {DIRECTORY}'
    failed = []
    for path in TESTS:
        result = VirtualMachine(load_elf(path), cpu=cpu, mmu=mmu).run(5_000_000)
        if (result.status, result.exit_code) != ('exit', 0):
            failed.append((path.name, result.status, result.exit_code, result.message))
    assert failed == []
