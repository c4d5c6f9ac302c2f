"""The ISA table is well formed: unique names, unambiguous encodings, parseable semantics."""
import ast
import itertools

from vlab.isa.fields import CSR_NAMES, CSR_NUMBERS, encode, parse_register
from vlab.isa.spec import BY_NAME, EXTENSIONS, INSTRUCTIONS

OPERANDS = {'rd', 'rs1', 'rs2', 'imm', 'shamt', 'csr', 'zimm', 'pred', 'succ', 'aq', 'rl',
            'rd_num', 'rs1_num', 'rs2_num', 'pc', 'next_pc'}
HELPERS = {'sx', 'tdiv', 'trem', 'load', 'store', 'load_reserved', 'store_conditional',
           'amo_load', 'csr_read', 'csr_write', 'trap', 'ecall', 'mret', 'sret', 'wfi',
           'fence_i', 'sfence_vma', 'None', 'hlv', 'hsv', 'hfence_vvma', 'hfence_gvma'}


def test_names_unique_and_indexed():
    assert len(BY_NAME) == len(INSTRUCTIONS) == 83        # RV32IMA, Zicsr, Zifencei, Priv, H
    assert {s.extension for s in INSTRUCTIONS} == set(EXTENSIONS)


def test_only_fence_tso_overlaps_fence():
    """Two rows overlap when a word matches both; the decoder prefers the more specific."""
    overlaps = []
    for a, b in itertools.combinations(INSTRUCTIONS, 2):
        common = a.mask & b.mask
        if a.match & common == b.match & common:
            overlaps.append({a.name, b.name})
    assert overlaps == [{'fence', 'fence.tso'}]


def test_semantics_use_only_the_language():
    for spec in INSTRUCTIONS:
        tree = ast.parse(spec.semantics)
        assigned = {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                    for t in node.targets if isinstance(t, ast.Name)}
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        unknown = names - OPERANDS - HELPERS - assigned
        assert not unknown, (spec.name, unknown)


def test_encode_reports_the_bad_field():
    try:
        encode(BY_NAME['addi'], rd=1, rs1=2, imm=5000)
    except ValueError as e:
        assert 'imm' in str(e) and '-2048..2047' in str(e)
    else:
        raise AssertionError('out-of-range imm accepted')


def test_register_and_csr_tables():
    assert parse_register('fp') == parse_register('s0') == parse_register('x8') == 8
    assert CSR_NUMBERS['satp'] == 0x180 and CSR_NAMES[0x300] == 'mstatus'
    assert CSR_NAMES[0xC83] == 'hpmcounter3h'
