"""Branches and jumps: taken/not taken, link registers, misaligned targets trap."""
import pytest

from conftest import RAM, ins, run_words

M1 = 0xFFFFFFFF
BRANCHES = [('beq', 5, 5, True), ('beq', 5, 6, False), ('bne', 5, 6, True),
            ('blt', M1, 0, True), ('blt', 0, M1, False), ('bge', 0, M1, True),
            ('bge', 3, 3, True), ('bltu', 0, M1, True), ('bltu', M1, 0, False),
            ('bgeu', M1, 0, True), ('bgeu', 0, 1, False)]


@pytest.mark.parametrize('name,a,b,taken', BRANCHES)
def test_branch(machine, name, a, b, taken):
    machine.regs[11], machine.regs[12] = a, b
    run_words(machine, ins(name, 'a1', 'a2', 8), ins('addi', 'a0', 'zero', 1),
              ins('ecall'))
    assert machine.regs[10] == (0 if taken else 1)


def test_jal_links_and_jumps_backwards(machine):
    words = [ins('jal', 'zero', 12),                  # 0: -> 12
             ins('addi', 'a0', 'a0', 100),           # 4: (return here) a0 += 100
             ins('ecall'),                            # 8
             ins('jal', 'ra', -8)]                    # 12: ra = 16, -> 4
    run_words(machine, *words)
    assert machine.regs[10] == 100 and machine.regs[1] == RAM + 16


def test_jalr_clears_bit0_and_reads_rs1_before_writing_rd(machine):
    machine.regs[10] = RAM + 9                        # target RAM+8 after clearing bit 0
    result = run_words(machine, ins('jalr', 'a0', 3, 'a0'), ins('ebreak'),
                       ins('ecall'), ins('ecall'))
    assert result.status == 'exit' and machine.pc == RAM + 12   # 9+3 = 12, bit 0 clear
    assert machine.regs[10] == RAM + 4                # link = pc + 4 (the exit code is a0)


def test_misaligned_jump_target_traps_on_the_jump(machine):
    causes = []

    def firmware(ctx):
        causes.append((ctx.cause, ctx.epc, ctx.tval, ctx.reg(1)))
        ctx.halt('done')
    machine.set_trap_handler('M', firmware)
    machine.regs[5] = RAM + 0x102
    result = run_words(machine, ins('jalr', 'ra', 0, 't0'))
    assert result.status == 'halt'
    assert causes == [(0, RAM, RAM + 0x102, 0)]       # rd not written, epc = the jalr


def test_misaligned_branch_target_traps(machine):
    causes = []
    machine.set_trap_handler('M', lambda ctx: (causes.append((ctx.cause, ctx.tval)),
                                               ctx.halt()))
    run_words(machine, ins('beq', 'zero', 'zero', 6))
    assert causes == [(0, RAM + 6)]


def test_branch_not_taken_to_misaligned_target_is_fine(machine):
    result = run_words(machine, ins('bne', 'zero', 'zero', 6), ins('ecall'))
    assert result.status == 'exit'
