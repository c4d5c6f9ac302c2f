"""The Popek-Goldberg sensitivity table: coverage, the virtualization condition, the checks."""
from __future__ import annotations

import pytest

from vlab.isa.csr import CSRFile
from vlab.isa.dbt.blocks import translatable
from vlab.isa.decoder import decode
from vlab.isa.fields import CSR_NUMBERS
from vlab.isa.hart import Hart
from vlab.isa.privilege import M, S, U
from vlab.isa.spec import INSTRUCTIONS
from vlab.isa.spec.sensitivity import (
    INSTRUCTION_SENSITIVITY,
    TSR,
    TVM,
    TW,
    csr_sensitivity,
    virtualization_holes,
)

IMPLEMENTED = Hart().csr.numbers()


def test_every_row_of_the_isa_table_is_classified_once():
    names = [spec.name for spec in INSTRUCTIONS]
    assert sorted(names) == sorted(INSTRUCTION_SENSITIVITY)


def test_every_implemented_csr_is_classified_by_its_address():
    for number in IMPLEMENTED:
        row = csr_sensitivity(number)
        level = number >> 8 & 3                       # 2: H and VS CSRs, accessed from HS
        assert row.min_priv == (S if level == 2 else level)
        assert row.read_only == (number >> 10 == 3)
    assert csr_sensitivity(CSR_NUMBERS['satp']).trap_bit == TVM
    assert csr_sensitivity(CSR_NUMBERS['mstatus']).kind == 'privileged'
    assert csr_sensitivity(CSR_NUMBERS['cycle']).kind == 'sensitive'     # closed by counteren


@pytest.mark.parametrize('guest_level', [U, S])
def test_popek_goldberg_condition_holds_for_a_guest_in_u_or_s_under_m(guest_level):
    assert virtualization_holes(guest_level, IMPLEMENTED) == []


def test_without_tvm_tw_tsr_an_s_mode_guest_has_holes():
    holes = {row.name for row in virtualization_holes(S, IMPLEMENTED, mstatus=0)}
    assert holes == {'wfi', 'sfence.vma', '0x180'}       # 0x180: satp
    open_counters = virtualization_holes(U, IMPLEMENTED, mcounteren=1, scounteren=1)
    assert [row.number for row in open_counters] == [0xC00, 0xC80]   # cycle, cycleh in U


def test_the_translator_only_translates_innocuous_instructions():
    for spec in INSTRUCTIONS:
        word = spec.match
        decoded = decode(word)
        if decoded is not None and translatable(decoded.spec, decoded.fields, 0):
            assert INSTRUCTION_SENSITIVITY[spec.name].kind == 'innocuous', spec.name


@pytest.mark.parametrize('name, priv, mstatus, traps', [
    ('mret', S, 0, True), ('mret', M, 0, False),
    ('sret', U, 0, True), ('sret', S, 0, False), ('sret', S, TSR, True), ('sret', M, TSR, False),
    ('wfi', U, 0, True), ('wfi', S, TW, True), ('wfi', S, 0, False),
    ('sfence.vma', S, TVM, True), ('sfence.vma', M, TVM, False),
])
def test_instruction_checks(name, priv, mstatus, traps):
    from vlab.isa.spec.sensitivity import traps_at
    assert traps_at(INSTRUCTION_SENSITIVITY[name], priv, mstatus) is traps


def test_csr_checks_trap_exactly_as_the_rules_say():
    csr = CSRFile(Hart())
    with pytest.raises(Exception, match='illegal'):
        csr.read(CSR_NUMBERS['sstatus'], U)
    with pytest.raises(Exception, match='illegal'):
        csr.write(CSR_NUMBERS['mvendorid'], 1, M)           # read-only by address
    csr.mstatus = TVM
    with pytest.raises(Exception, match='illegal'):
        csr.read(CSR_NUMBERS['satp'], S)
    assert csr.read(CSR_NUMBERS['satp'], M) == 0
    with pytest.raises(Exception, match='illegal'):
        csr.read(CSR_NUMBERS['cycle'], S)                  # mcounteren closed
    csr.mcounteren = 1
    assert csr.read(CSR_NUMBERS['cycle'], S) == 0
