"""Popek & Goldberg's equivalence across hypervisor types, on the official riscv-tests.

Each test gives the same exit code and console output on the bare machine, as a type-2
guest (the hw VMM as a host process, every exit an upcall) and as a dual-mode guest (the
host kernel's /dev/kvm driven by the RV32 user-mode VMM).  As in
tests/hardware/test_equivalence.py, nothing of riscv-tests is committed: point
``VLAB_RISCV_TESTS`` at a directory of built rv32 tests; without it this is skipped.
"""
import os
from pathlib import Path

import pytest

from vlab.hosted.hvrun import run_guest
from vlab.isa.machine import Machine

DIRECTORY = os.environ.get('VLAB_RISCV_TESTS')
BUDGET = 5_000_000
pytestmark = pytest.mark.skipif(not DIRECTORY, reason='set VLAB_RISCV_TESTS to a build of '
                                'riscv-tests (rv32*-p-*, rv32*-v-*) to run them')


def _programs():
    if not DIRECTORY:
        return []
    return sorted(p for p in Path(DIRECTORY).iterdir() if p.name.startswith('rv32'))


def _bare(path):
    machine = Machine(ram_size=1 << 20)
    machine.load_elf(path)
    result = machine.run(max_instructions=BUDGET)
    return result.exit_code, machine.platform.console_output()


@pytest.mark.parametrize('hv_type', ['2', 'dual'])
@pytest.mark.parametrize('path', _programs(), ids=lambda p: p.name)
def test_same_result_as_bare(path, hv_type):
    expected = _bare(path)
    run = run_guest(path, hv_type, cpu='hw', max_instructions=BUDGET)
    assert (run.exit_code, run.console) == expected, run.message
