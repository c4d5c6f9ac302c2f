"""The official RISC-V conformance tests (riscv-software-src/riscv-tests), run ad hoc.

Nothing of riscv-tests is committed.  Build the rv32 tests yourself (p env for
rv32ui/um/ua/mi/si, v env -- Sv32 virtual memory -- for rv32ui/um/ua) and point
``VLAB_RISCV_TESTS`` at the directory of ELF files; every file must end with HTIF exit
code 0 (pass).  Without the variable this test is skipped.
"""
import os
from pathlib import Path

import pytest

from vlab.isa.machine import Machine

DIRECTORY = os.environ.get('VLAB_RISCV_TESTS')
pytestmark = pytest.mark.skipif(not DIRECTORY, reason='set VLAB_RISCV_TESTS to a build of '
                                'riscv-tests (rv32*-p-*, rv32*-v-*) to run them')


def _programs():
    if not DIRECTORY:
        return []
    return sorted(p for p in Path(DIRECTORY).iterdir() if p.name.startswith('rv32'))


@pytest.mark.parametrize('path', _programs(), ids=lambda p: p.name)
def test_official_test_passes(path, engine):
    m = Machine(ram_size=1 << 20, engine=engine)
    m.load_elf(path)
    result = m.run(max_instructions=5_000_000)
    assert (result.status, result.exit_code) == ('exit', 0), str(result)
