"""``--cpu bt`` on random guests heavy in sensitive instructions (the generator of
tests/hardware/test_vm_fuzz.py), with the non-virtualizable switch off and on: each
ends exactly as on the bare machine -- status, exit code, instructions retired, cause,
pc, tval -- under both engines, and never with a Python exception."""
import pytest
from test_vm_fuzz import outcome, random_guest

from vlab.hardware.vm import VirtualMachine
from vlab.isa.machine import Machine


@pytest.mark.parametrize('switch', [False, True], ids=['switch-off', 'switch-on'])
@pytest.mark.parametrize('engine', ['interp', 'dbt'])
@pytest.mark.parametrize('seed', range(40))
def test_random_guest_ends_as_on_the_bare_machine(seed, engine, switch):
    image = random_guest(seed)
    bare = Machine(ram_size=1 << 20, engine=engine)
    bare.load_elf(image)
    expected = bare.run(max_instructions=20_000)
    vm = VirtualMachine(image, cpu='bt', engine=engine, guest_ram=1 << 20,
                        non_virtualizable=switch)
    assert outcome(vm.run(max_instructions=20_000)) == outcome(expected)
