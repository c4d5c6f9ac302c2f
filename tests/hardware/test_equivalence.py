"""Popek & Goldberg's equivalence on the official RISC-V tests (riscv-software-src/riscv-tests).

Every test runs on the bare machine and as the guest of each VMM, under both engines:
the exit code, the console output and the number of instructions retired must be the
same.  Under trap-and-emulate (vlab/hardware/trap_emulate.py) the rv32mi/si tests
exercise the guest's virtual M- and S-mode, and the ``v`` environment's own supervisor
kernel with Sv32 paging runs on the VMM's shadow page tables.  Under ``hw`` (the
KVM-style VMM on the hypervisor extension, vlab/hardware/hw_vmm.py) the ``p`` tests'
M-mode is emulated (in VU-mode); rv32si and the ``v`` environment run their supervisor
code natively in VS-mode, the ``v`` tests with their own Sv32 tables over the G-stage.
Under ``bt`` (vlab/hardware/bt.py) the guest's kernel code is translated with callouts,
and equivalence holds with the non-virtualizable switch on too, where trap-and-emulate
fails on every test.

Nothing of riscv-tests is committed: build the rv32 tests (p env for rv32ui/um/ua/mi/si,
v env for rv32ui/um/ua) and point ``VLAB_RISCV_TESTS`` at the directory of ELF files, as
for tests/isa/test_interp_conformance.py.  Without the variable this test is skipped.
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


@pytest.mark.parametrize('cpu', ['trap-emulate', 'hw', 'bt', 'bt non-virtualizable'])
@pytest.mark.parametrize('engine', ['interp', 'dbt'])
@pytest.mark.parametrize('path', _programs(), ids=lambda p: p.name)
def test_guest_behaves_as_on_the_bare_machine(path, engine, cpu):
    bare = Machine(ram_size=RAM, engine=engine)
    bare.load_elf(path)
    expected = bare.run(max_instructions=BUDGET)
    vm = VirtualMachine(path, cpu=cpu.split()[0], engine=engine, guest_ram=RAM,
                        non_virtualizable=cpu.endswith('non-virtualizable'))
    result = vm.run(max_instructions=BUDGET)
    assert (result.status, result.exit_code) == ('exit', 0), str(result)
    assert (result.exit_code, result.instructions, vm.console) == \
        (expected.exit_code, expected.instructions, bare.platform.console_output())
    callouts = sum(getattr(vm.vmm, 'callouts', {}).values())
    assert sum(vm.exits.values()) + callouts > 0     # it really ran deprivileged
