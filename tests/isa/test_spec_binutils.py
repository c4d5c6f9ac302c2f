"""The ISA table's encodings agree with GNU binutils (riscv64-unknown-elf-as), the reference.

Every instruction is assembled twice -- by GNU as from text, and by ``fields.encode`` from
the table -- with operands that exercise every field's extremes; the words must be equal.
"""
import shutil
import subprocess

import pytest

from vlab.isa.fields import REG_NAMES, decode_fields, encode
from vlab.isa.spec import INSTRUCTIONS

AS = shutil.which('riscv64-unknown-elf-as')
OBJCOPY = shutil.which('riscv64-unknown-elf-objcopy')
pytestmark = [pytest.mark.toolchain,
              pytest.mark.skipif(not (AS and OBJCOPY), reason='riscv64 binutils not installed')]

# operand sets per format: (assembly operand text, encode() fields)
CASES = {
    'R': [('a0, t1, s11', dict(rd=10, rs1=6, rs2=27)), ('zero, ra, t6', dict(rd=0, rs1=1, rs2=31))],
    'I': [('a0, t1, -2048', dict(rd=10, rs1=6, imm=-2048)), ('t6, sp, 2047',
                                                            dict(rd=31, rs1=2, imm=2047))],
    'I_SHIFT': [('a0, a1, 31', dict(rd=10, rs1=11, shamt=31)), ('s1, s2, 1',
                                                              dict(rd=9, rs1=18, shamt=1))],
    'LOAD': [('a0, -4(sp)', dict(rd=10, rs1=2, imm=-4)), ('t0, 2047(t6)',
                                                         dict(rd=5, rs1=31, imm=2047))],
    'JALR': [('a0, -2048(sp)', dict(rd=10, rs1=2, imm=-2048)), ('ra, 12(t0)',
                                                               dict(rd=1, rs1=5, imm=12))],
    'S': [('a0, -2048(sp)', dict(rs1=2, rs2=10, imm=-2048)), ('t6, 2047(s1)',
                                                             dict(rs1=9, rs2=31, imm=2047))],
    'B': [('a0, a1, .+4094', dict(rs1=10, rs2=11, imm=4094)), ('t6, s1, .-4096',
                                                               dict(rs1=31, rs2=9, imm=-4096))],
    'U': [('a0, 0xfffff', dict(rd=10, imm20=0xFFFFF)), ('t6, 0x12345', dict(rd=31, imm20=0x12345))],
    'J': [('ra, .+1048574', dict(rd=1, imm=1048574)), ('zero, .-1048576',
                                                        dict(rd=0, imm=-1048576))],
    'CSR': [('a0, mstatus, t1', dict(rd=10, csr=0x300, rs1=6)), ('t6, 0xfff, s11',
                                                                dict(rd=31, csr=0xFFF, rs1=27))],
    'CSRI': [('a0, mstatus, 31', dict(rd=10, csr=0x300, zimm=31)), ('zero, satp, 1',
                                                                   dict(rd=0, csr=0x180, zimm=1))],
    'AMO': [('a0, t1, (s11)', dict(rd=10, rs2=6, rs1=27)), ('t6, zero, (ra)',
                                                            dict(rd=31, rs2=0, rs1=1))],
    'LR': [('a0, (s11)', dict(rd=10, rs1=27))],
    'FENCE': [('rw, w', dict(pred=3, succ=1)), ('iorw, iorw', dict(pred=15, succ=15))],
    'NONE': [('', {})],
    'SFENCE': [('a0, a1', dict(rs1=10, rs2=11)), ('zero, zero', dict(rs1=0, rs2=0))],
    'HLV': [('a0, (s11)', dict(rd=10, rs1=27)), ('t6, (zero)', dict(rd=31, rs1=0))],
    'HSV': [('a0, (s11)', dict(rs2=10, rs1=27)), ('t6, (ra)', dict(rs2=31, rs1=1))],
}


def _cases():
    for spec in INSTRUCTIONS:
        for text, fields in CASES[spec.fmt]:
            yield spec, f'{spec.name} {text}'.strip(), fields


def _assemble(lines, tmp_path):
    src = tmp_path / 'all.s'
    src.write_text('.option norvc\n' + '\n'.join(lines) + '\n')
    obj, raw = tmp_path / 'all.o', tmp_path / 'all.bin'
    subprocess.run([AS, '-march=rv32ima_zicsr_zifencei_h', '-mabi=ilp32', '-o', obj, src],
                   check=True, capture_output=True)
    subprocess.run([OBJCOPY, '-O', 'binary', '-j', '.text', obj, raw], check=True)
    data = raw.read_bytes()
    return [int.from_bytes(data[i:i + 4], 'little') for i in range(0, len(data), 4)]


def test_every_encoding_matches_gnu_as(tmp_path):
    cases = list(_cases())
    words = _assemble([text for _, text, _ in cases], tmp_path)
    assert len(words) == len(cases)
    mismatches = [f'{text}: as={want:#010x} table={encode(spec, **fields):#010x}'
                  for (spec, text, fields), want in zip(cases, words, strict=True)
                  if encode(spec, **fields) != want]
    assert not mismatches, '\n'.join(mismatches)


def test_decode_fields_inverts_encode():
    for spec, _, fields in _cases():
        word = encode(spec, **fields)
        decoded = decode_fields(spec.fmt, word)
        for name, value in fields.items():
            assert decoded[name] == value, (spec.name, name)


def test_register_names_cover_abi():
    assert len(REG_NAMES) == 32 and REG_NAMES[10] == 'a0' and REG_NAMES[31] == 't6'
