"""A guest writing garbage into its page tables gets the architecturally correct fault
under every --mmu, as on the bare machine (same cause, address and pc)."""
import pytest

from vlab.hardware.vm import VirtualMachine
from vlab.isa.asm import assemble
from vlab.isa.elf import load_elf
from vlab.isa.machine import Machine
from vlab.lab.memvirt.workloads import guest_source

GARBAGE = '''
    la t2, pt_l0                    # an invalid PTE (W without R), then use it
    li t1, 0x5
    sw t1, 0(t2)
    sfence.vma
    li t0, 0x00400000
    lw t1, 0(t0)
'''


def image(where: str):
    """Garbage written before any shadow exists ('boot') or after the pages were used."""
    source = guest_source(pages=8, rounds=2)
    if where == 'boot':
        source = source.replace('s_code:\n    sfence.vma\n', 's_code:\n' + GARBAGE)
    else:
        source = source.replace('    li a0, 1\n    la t6, tohost', GARBAGE + '    li a0, 1\n'
                                '    la t6, tohost')
    return load_elf(assemble(source, filename='garbage.s').to_elf())


@pytest.mark.parametrize('where', ['boot', 'after use'])
def test_garbage_ptes_fault_as_on_the_bare_machine(where):
    guest = image(where)
    bare = Machine(ram_size=2 << 20)
    bare.load_elf(guest)
    expected = bare.run(max_instructions=100_000)
    assert (expected.status, expected.cause, expected.tval) == ('fault', 13, 0x0040_0000)
    for cpu, mmu in (('trap-emulate', 'shadow'), ('trap-emulate', 'shadow-trace'),
                     ('hw', 'nested'), ('hw', 'nested-cached')):
        result = VirtualMachine(guest, cpu=cpu, mmu=mmu, guest_ram=2 << 20).run(100_000)
        assert (result.status, result.cause, result.tval, result.pc) == \
            (expected.status, expected.cause, expected.tval, expected.pc), mmu
