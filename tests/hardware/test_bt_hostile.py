"""``--cpu bt`` against guests that attack a translator: kernel code that rewrites itself
after it was translated, jumps into data that holds a sensitive instruction, an idle or
handler-less guest -- each gives the bare machine's result or stops cleanly with a reason.
Also the rewriter hook of the DBT package (vlab/isa/dbt/callouts.py) on its own.
"""
import guest_programs as guests
import pytest

from vlab.hardware.vm import VirtualMachine
from vlab.isa.dbt.callouts import install_rewriter, remove_rewriter, rewriter_of
from vlab.isa.machine import Machine

RAM = 1 << 20
BUDGET = 200_000
# A hot loop (translated by the DBT) whose first instruction is then overwritten by
# ``csrr a1, mstatus`` -- no FENCE.I: the write watch drops the stale translation.  Run
# again, the new instruction must be a callout (with the switch on, executing it as the
# hardware does would leak the real mstatus).
SELF_MODIFYING = '''
    la t0, fail
    csrw mtvec, t0
    li a0, 0x1800                   # MPP = M
    csrw mstatus, a0
    li gp, 2
    li s1, 100
loop:
    addi a1, zero, 7                # patched below
    addi s1, s1, -1
    bgtz s1, loop
    bltz s1, check
    li a2, 7
    bne a1, a2, fail
    la t1, loop
    la t2, new_word
    lw t3, 0(t2)
    sw t3, 0(t1)
    j loop
check:
    li gp, 3
    li a2, 0x1800
    and a1, a1, a2
    bne a1, a2, fail
    j pass
new_word:
    csrr a1, mstatus
'''
# The kernel jumps into its data: a CSR read the translator has never seen as code,
# then a word that is no instruction (its handler checks the illegal-instruction trap).
JUMP_INTO_DATA = '''
    la t0, handler
    csrw mtvec, t0
    li a0, 0x1800
    csrw mstatus, a0
    li gp, 2
    la t0, blob
    jr t0
handler:
    li gp, 3
    csrr t0, mcause
    li t1, 2
    bne t0, t1, fail
    li gp, 4
    li a2, 0x1800
    and a0, a0, a2
    bne a0, a2, fail
    j pass
'''
BLOB = '.data\n.align 2\nblob:\n    .word 0x30002573\n    .word 0xffffffff\n'   # csrr a0, mstatus
JUMP_INTO_DATA_NO_HANDLER = '''
    la t0, blob
    jr t0
'''
IDLE = '''
    wfi
    j pass
'''


@pytest.fixture(params=['interp', 'dbt'])
def engine(request):
    return request.param


def both(image, engine, switch=True):
    bare = Machine(ram_size=RAM, engine=engine)
    bare.load_elf(image)
    expected = bare.run(max_instructions=BUDGET)
    vm = VirtualMachine(image, cpu='bt', engine=engine, guest_ram=RAM,
                        non_virtualizable=switch)
    return expected, vm.run(max_instructions=BUDGET), vm


def test_self_modifying_kernel_code_is_translated_again(engine):
    image = guests.image(SELF_MODIFYING)
    expected, result, vm = both(image, engine)
    assert expected.exit_code == 0
    assert (result.status, result.exit_code, result.instructions) == \
        ('exit', 0, expected.instructions), str(result)
    assert vm.vmm.callouts['csrrs'] == 1                # the patched instruction
    if engine == 'dbt':
        assert vm.machine.engine.stats.invalidations >= 1
    te = VirtualMachine(image, cpu='trap-emulate', engine=engine, guest_ram=RAM,
                        non_virtualizable=True)
    assert te.run(max_instructions=BUDGET).exit_code == 3    # the read leaked


def test_jump_into_data_is_translated_as_code(engine):
    image = guests.image(JUMP_INTO_DATA, BLOB)
    expected, result, vm = both(image, engine)
    assert expected.exit_code == 0
    assert (result.exit_code, result.instructions) == (0, expected.instructions)
    assert vm.vmm.callouts['csrrs'] >= 1
    # a word that is no instruction is nothing to translate: it traps and is reflected
    assert vm.exits == {'illegal instruction (reflected)': 1}


def test_jump_into_data_without_a_handler_stops_with_the_guest_fault(engine):
    expected, result, _ = both(guests.image(JUMP_INTO_DATA_NO_HANDLER, BLOB), engine)
    assert (result.status, result.cause, result.tval) == ('fault', 2, 0xFFFFFFFF)
    assert 'mtvec is 0' in result.message
    assert expected.status != 'exit'                    # the bare machine does not exit


def test_idle_kernel_stops_the_vm_as_idle(engine):
    expected, result, vm = both(guests.image(IDLE), engine)
    assert expected.status == result.status == 'idle'
    assert result.instructions == expected.instructions
    assert vm.vmm.callouts['wfi'] == 1


def test_trap_storm_and_budget_stop_cleanly(engine):
    _, result, _ = both(guests.image(guests.TRAP_STORM), engine)
    assert result.status == 'fault' and 'trap storm' in result.message
    vm = VirtualMachine(guests.image('spin: csrr a0, mstatus\n    j spin\n'), cpu='bt',
                        engine=engine, guest_ram=RAM)
    result = vm.run(max_instructions=1001)
    assert (result.status, result.instructions) == ('budget', 1001)
    assert vm.vmm.callouts['csrrs'] == 501


def test_rewriter_hook_replaces_predecoded_instructions():
    program = guests.image('li a0, 5\n    addi a0, a0, 1\n    j pass\n')
    machine = Machine(ram_size=RAM)
    machine.load_elf(program)
    seen = []

    def rewrite(handler, decoded, pc):
        seen.append(decoded.spec.name)
        if decoded.spec.name != 'addi' or pc != 0x8000_0004:
            return handler

        def doubled():                     # the replacement runs instead of the original
            machine.hart.x[10] *= 2
            return pc + 4
        return doubled

    install_rewriter(machine.engine, rewrite)
    assert rewriter_of(machine.engine) is rewrite
    machine.run(max_instructions=3)
    assert machine.hart.x[10] == 10 and 'addi' in seen
    remove_rewriter(machine.engine)
    assert rewriter_of(machine.engine) is None


def test_an_engine_that_does_not_predecode_is_refused_clearly():
    from vlab.hardware.vm import VmError
    with pytest.raises(VmError, match='does not predecode'):
        VirtualMachine(guests.image(IDLE), cpu='bt', engine='decode-dispatch', guest_ram=RAM)


def test_writing_the_vmm_memory_is_a_guest_access_fault(engine):
    program = guests.WRITE_PAST_GUEST_RAM.replace('GUEST_END', hex(0x8000_0000 + RAM))
    vm = VirtualMachine(guests.image(program), cpu='bt', engine=engine, guest_ram=RAM)
    before = vm.machine.bus.read_bytes(vm.memory.vmm_base, 64)
    result = vm.run(BUDGET)
    assert (result.status, result.cause, result.tval) == ('fault', 7, 0x8000_0000 + RAM)
    assert vm.machine.bus.read_bytes(vm.memory.vmm_base, 64) == before
