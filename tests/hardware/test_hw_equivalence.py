"""Popek & Goldberg's equivalence under the ``hw`` VMM, on the official riscv-tests.

As tests/hardware/test_equivalence.py does for trap-and-emulate: every test runs on the
bare machine and as a guest of the KVM-style VMM on the hypervisor extension
(vlab/hardware/hw_vmm.py), under both engines; exit code, console output and the number
of instructions retired must be the same.  The ``p`` tests start in M-mode, which the VMM
emulates (in VU-mode); rv32si and the ``v`` environment run their supervisor code
natively in VS-mode, the ``v`` tests with their own Sv32 tables over the VMM's G-stage.

Nothing of riscv-tests is committed: point ``VLAB_RISCV_TESTS`` at a directory of the
built rv32 ELF files (rv32ui/um/ua/mi/si-p-*, rv32ui/um/ua-v-*); without it this test
is skipped.
"""
import os
from pathlib import Path

import pytest

from vlab.hardware.vm import VirtualMachine
from vlab.isa.machine import Machine

DIRECTORY = os.environ.get('VLAB_RISCV_TESTS')
RAM = 1 << 20
BUDGET = 5_000_000
pytestmark = pytest.mark.skipif(not DIRECTORY, reason='set VLAB_RISCV_TESTS to a build of '
                                'riscv-tests (rv32*-p-*, rv32*-v-*) to run them')


def _programs():
    if not DIRECTORY:
        return []
    return sorted(p for p in Path(DIRECTORY).iterdir() if p.name.startswith('rv32'))


@pytest.mark.parametrize('engine', ['interp', 'dbt'])
@pytest.mark.parametrize('path', _programs(), ids=lambda p: p.name)
def test_guest_behaves_as_on_the_bare_machine_under_hw(path, engine):
    bare = Machine(ram_size=RAM, engine=engine)
    bare.load_elf(path)
    expected = bare.run(max_instructions=BUDGET)
    vm = VirtualMachine(path, cpu='hw', engine=engine, guest_ram=RAM)
    result = vm.run(max_instructions=BUDGET)
    assert (result.status, result.exit_code) == ('exit', 0), str(result)
    assert (result.exit_code, result.instructions, vm.console) == \
        (expected.exit_code, expected.instructions, bare.platform.console_output())
    assert sum(vm.exits.values()) > 0          # the VMM really ran it
    assert vm.machine.hart.virt == 1           # ...as a guest (V=1) to its last instruction
