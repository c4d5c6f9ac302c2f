"""Instruction fields: decode a word into named operands, encode operands into a word.

Source: RISC-V Unprivileged ISA, vol. I (20191213), sec. 2.2-2.3 "Base Instruction Formats"
and "Immediate Encoding Variants" (Figures 2.2-2.4), ch. 8 (AMO layout) and ch. 25
(register ABI names); CSR numbers from the RISC-V Privileged Architecture (20211203),
sec. 2.2, Tables 2.2-2.6.

One decoder and one encoder per operand format (``fmt`` of an InstrSpec).  The field names:

===========  =======================================================================
``rd``       destination register number (bits 11:7)
``rs1``      first source register number (bits 19:15)
``rs2``      second source register number (bits 24:20)
``imm``      the immediate as the instruction *uses* it, sign-extended Python int:
             I/LOAD/JALR/S: -2048..2047; B: even, -4096..4094; J: even,
             -1048576..1048574; U: the 32-bit contribution ``imm20 << 12`` sign-extended
             (so ``lui`` semantics is ``rd = imm``); CSRI: same as ``zimm``
``imm20``    U only: the 20-bit field as written in assembly (``lui a0, 0x12345``)
``shamt``    I_SHIFT: 0..31
``csr``      CSR/CSRI: 12-bit CSR number
``zimm``     CSRI: 5-bit unsigned immediate (in the rs1 slot)
``aq, rl``   AMO/LR: ordering bits 0/1
``pred``     FENCE: 4-bit set ``iorw`` (i=8, o=4, r=2, w=1); ``succ`` likewise
===========  =======================================================================

``encode(spec, **fields)`` is the inverse and checks every range: a value out of range
raises ``ValueError`` naming the field, the instruction and the legal range.  For ``U``
give either ``imm20`` (0..0xFFFFF) or ``imm`` (a multiple of 4096).
"""
from __future__ import annotations

MASK32 = 0xFFFFFFFF

# ---------------------------------------------------------------- register names
REG_NAMES = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1',
             'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7',
             's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11',
             't3', 't4', 't5', 't6']
REG_NUMBERS = {name: i for i, name in enumerate(REG_NAMES)}
REG_NUMBERS.update({f'x{i}': i for i in range(32)})
REG_NUMBERS['fp'] = 8


def parse_register(name: str) -> int:
    """'a0' -> 10; accepts x0..x31, the ABI names and fp (= s0)."""
    key = name.strip().lower()
    if key not in REG_NUMBERS:
        raise ValueError(f'unknown register {name!r}: use x0..x31 or an ABI name '
                         f'(zero, ra, sp, gp, tp, t0-t6, s0-s11, fp, a0-a7)')
    return REG_NUMBERS[key]


# ---------------------------------------------------------------- CSR names
def _csr_table() -> dict[int, str]:
    t = {
        0xC00: 'cycle', 0xC01: 'time', 0xC02: 'instret',
        0xC80: 'cycleh', 0xC81: 'timeh', 0xC82: 'instreth',
        0x100: 'sstatus', 0x104: 'sie', 0x105: 'stvec', 0x106: 'scounteren',
        0x10A: 'senvcfg', 0x140: 'sscratch', 0x141: 'sepc', 0x142: 'scause',
        0x143: 'stval', 0x144: 'sip', 0x180: 'satp',
        0xF11: 'mvendorid', 0xF12: 'marchid', 0xF13: 'mimpid', 0xF14: 'mhartid',
        0xF15: 'mconfigptr',
        0x300: 'mstatus', 0x301: 'misa', 0x302: 'medeleg', 0x303: 'mideleg', 0x304: 'mie',
        0x305: 'mtvec', 0x306: 'mcounteren', 0x30A: 'menvcfg', 0x310: 'mstatush',
        0x31A: 'menvcfgh', 0x320: 'mcountinhibit',
        0x340: 'mscratch', 0x341: 'mepc', 0x342: 'mcause', 0x343: 'mtval', 0x344: 'mip',
        0x34A: 'mtinst', 0x34B: 'mtval2',
        0xB00: 'mcycle', 0xB02: 'minstret', 0xB80: 'mcycleh', 0xB82: 'minstreth',
        0x7A0: 'tselect', 0x7A1: 'tdata1', 0x7A2: 'tdata2', 0x7A3: 'tdata3',
        0x7B0: 'dcsr', 0x7B1: 'dpc', 0x7B2: 'dscratch0', 0x7B3: 'dscratch1',
        # hypervisor extension (privileged spec ch. 8, Table 2.3)
        0x600: 'hstatus', 0x602: 'hedeleg', 0x603: 'hideleg', 0x604: 'hie',
        0x605: 'htimedelta', 0x606: 'hcounteren', 0x607: 'hgeie', 0x60A: 'henvcfg',
        0x615: 'htimedeltah', 0x61A: 'henvcfgh', 0x643: 'htval', 0x644: 'hip', 0x645: 'hvip',
        0x64A: 'htinst', 0x680: 'hgatp', 0xE12: 'hgeip',
        0x200: 'vsstatus', 0x204: 'vsie', 0x205: 'vstvec', 0x240: 'vsscratch',
        0x241: 'vsepc', 0x242: 'vscause', 0x243: 'vstval', 0x244: 'vsip', 0x280: 'vsatp',
    }
    for n in range(3, 32):
        t[0xC00 + n] = f'hpmcounter{n}'
        t[0xC80 + n] = f'hpmcounter{n}h'
        t[0xB00 + n] = f'mhpmcounter{n}'
        t[0xB80 + n] = f'mhpmcounter{n}h'
        t[0x320 + n] = f'mhpmevent{n}'
    for n in range(4):
        t[0x3A0 + n] = f'pmpcfg{n}'
    for n in range(16):
        t[0x3B0 + n] = f'pmpaddr{n}'
    return dict(sorted(t.items()))


CSR_NAMES: dict[int, str] = _csr_table()
CSR_NUMBERS: dict[str, int] = {name: num for num, name in CSR_NAMES.items()}


# ---------------------------------------------------------------- bit helpers
def bits(word: int, hi: int, lo: int) -> int:
    """The unsigned field word[hi:lo] (inclusive, like the manual)."""
    return (word >> lo) & ((1 << (hi - lo + 1)) - 1)


def sign_extend(value: int, width: int) -> int:
    """Interpret the low ``width`` bits of ``value`` as two's complement."""
    value &= (1 << width) - 1
    return value - (1 << width) if value >> (width - 1) else value


def _imm_i(w):
    return sign_extend(w >> 20, 12)


def _imm_s(w):
    return sign_extend((bits(w, 31, 25) << 5) | bits(w, 11, 7), 12)


def _imm_b(w):
    v = (bits(w, 31, 31) << 12) | (bits(w, 7, 7) << 11) | (bits(w, 30, 25) << 5) \
        | (bits(w, 11, 8) << 1)
    return sign_extend(v, 13)


def _imm_j(w):
    v = (bits(w, 31, 31) << 20) | (bits(w, 19, 12) << 12) | (bits(w, 20, 20) << 11) \
        | (bits(w, 30, 21) << 1)
    return sign_extend(v, 21)


def _rd(w):
    return bits(w, 11, 7)


def _rs1(w):
    return bits(w, 19, 15)


def _rs2(w):
    return bits(w, 24, 20)


# ---------------------------------------------------------------- decode
_DECODERS = {
    'R': lambda w: {'rd': _rd(w), 'rs1': _rs1(w), 'rs2': _rs2(w)},
    'I': lambda w: {'rd': _rd(w), 'rs1': _rs1(w), 'imm': _imm_i(w)},
    'LOAD': lambda w: {'rd': _rd(w), 'rs1': _rs1(w), 'imm': _imm_i(w)},
    'JALR': lambda w: {'rd': _rd(w), 'rs1': _rs1(w), 'imm': _imm_i(w)},
    'I_SHIFT': lambda w: {'rd': _rd(w), 'rs1': _rs1(w), 'shamt': bits(w, 24, 20)},
    'S': lambda w: {'rs1': _rs1(w), 'rs2': _rs2(w), 'imm': _imm_s(w)},
    'B': lambda w: {'rs1': _rs1(w), 'rs2': _rs2(w), 'imm': _imm_b(w)},
    'U': lambda w: {'rd': _rd(w), 'imm': sign_extend(w & 0xFFFFF000, 32),
                    'imm20': bits(w, 31, 12)},
    'J': lambda w: {'rd': _rd(w), 'imm': _imm_j(w)},
    'CSR': lambda w: {'rd': _rd(w), 'rs1': _rs1(w), 'csr': bits(w, 31, 20)},
    'CSRI': lambda w: {'rd': _rd(w), 'zimm': _rs1(w), 'imm': _rs1(w), 'csr': bits(w, 31, 20)},
    'AMO': lambda w: {'rd': _rd(w), 'rs1': _rs1(w), 'rs2': _rs2(w),
                      'aq': bits(w, 26, 26), 'rl': bits(w, 25, 25)},
    'LR': lambda w: {'rd': _rd(w), 'rs1': _rs1(w), 'aq': bits(w, 26, 26),
                     'rl': bits(w, 25, 25)},
    'FENCE': lambda w: {'pred': bits(w, 27, 24), 'succ': bits(w, 23, 20)},
    'NONE': lambda w: {},
    'SFENCE': lambda w: {'rs1': _rs1(w), 'rs2': _rs2(w)},
    'HLV': lambda w: {'rd': _rd(w), 'rs1': _rs1(w)},
    'HSV': lambda w: {'rs1': _rs1(w), 'rs2': _rs2(w)},
}


def decode_fields(fmt: str, word: int) -> dict[str, int]:
    """The named operand fields of ``word`` read as format ``fmt`` (see module table)."""
    try:
        return _DECODERS[fmt](word & MASK32)
    except KeyError:
        raise ValueError(f'unknown instruction format {fmt!r}; '
                         f'known: {sorted(_DECODERS)}') from None


# ---------------------------------------------------------------- encode
def _check(spec_name, field, value, lo, hi, even=False):
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f'{spec_name}: field {field} must be an integer, got {value!r}')
    if not lo <= value <= hi:
        raise ValueError(f'{spec_name}: {field} = {value} is out of range; '
                         f'legal range is {lo}..{hi}')
    if even and value & 1:
        raise ValueError(f'{spec_name}: {field} = {value} must be even '
                         f'(branch and jump offsets are multiples of 2)')
    return value


def _reg(spec_name, field, value):
    return _check(spec_name, field, value, 0, 31)


def _enc_i(n, f):
    imm = _check(n, 'imm', f['imm'], -2048, 2047) & 0xFFF
    return (imm << 20) | (_reg(n, 'rs1', f['rs1']) << 15) | (_reg(n, 'rd', f['rd']) << 7)


def _enc_r(n, f):
    return (_reg(n, 'rs2', f['rs2']) << 20) | (_reg(n, 'rs1', f['rs1']) << 15) \
        | (_reg(n, 'rd', f['rd']) << 7)


def _enc_shift(n, f):
    return (_check(n, 'shamt', f['shamt'], 0, 31) << 20) | (_reg(n, 'rs1', f['rs1']) << 15) \
        | (_reg(n, 'rd', f['rd']) << 7)


def _enc_s(n, f):
    imm = _check(n, 'imm', f['imm'], -2048, 2047) & 0xFFF
    return ((imm >> 5) << 25) | (_reg(n, 'rs2', f['rs2']) << 20) \
        | (_reg(n, 'rs1', f['rs1']) << 15) | ((imm & 0x1F) << 7)


def _enc_b(n, f):
    imm = _check(n, 'imm', f['imm'], -4096, 4094, even=True) & 0x1FFF
    return (bits(imm, 12, 12) << 31) | (bits(imm, 10, 5) << 25) \
        | (_reg(n, 'rs2', f['rs2']) << 20) | (_reg(n, 'rs1', f['rs1']) << 15) \
        | (bits(imm, 4, 1) << 8) | (bits(imm, 11, 11) << 7)


def _enc_u(n, f):
    if 'imm20' in f:
        imm20 = _check(n, 'imm20', f['imm20'], 0, 0xFFFFF)
    else:
        imm = _check(n, 'imm', f['imm'], -(1 << 31), MASK32)
        if imm & 0xFFF:
            raise ValueError(f'{n}: imm = {imm:#x} must be a multiple of 4096 '
                             f'(or pass imm20, the upper 20 bits)')
        imm20 = (imm & MASK32) >> 12
    return (imm20 << 12) | (_reg(n, 'rd', f['rd']) << 7)


def _enc_j(n, f):
    imm = _check(n, 'imm', f['imm'], -(1 << 20), (1 << 20) - 2, even=True) & 0x1FFFFF
    return (bits(imm, 20, 20) << 31) | (bits(imm, 10, 1) << 21) | (bits(imm, 11, 11) << 20) \
        | (bits(imm, 19, 12) << 12) | (_reg(n, 'rd', f['rd']) << 7)


def _enc_csr(n, f):
    return (_check(n, 'csr', f['csr'], 0, 0xFFF) << 20) | (_reg(n, 'rs1', f['rs1']) << 15) \
        | (_reg(n, 'rd', f['rd']) << 7)


def _enc_csri(n, f):
    zimm = f['zimm'] if 'zimm' in f else f['imm']
    return (_check(n, 'csr', f['csr'], 0, 0xFFF) << 20) | (_check(n, 'zimm', zimm, 0, 31) << 15) \
        | (_reg(n, 'rd', f['rd']) << 7)


def _enc_amo(n, f):
    return (_check(n, 'aq', f.get('aq', 0), 0, 1) << 26) | (_check(n, 'rl', f.get('rl', 0), 0, 1)
                                                            << 25) | _enc_r(n, f)


def _enc_lr(n, f):
    return _enc_amo(n, {**f, 'rs2': 0})


def _enc_fence(n, f):
    return (_check(n, 'pred', f['pred'], 0, 15) << 24) | (_check(n, 'succ', f['succ'], 0, 15)
                                                          << 20)


def _enc_sfence(n, f):
    return (_reg(n, 'rs2', f['rs2']) << 20) | (_reg(n, 'rs1', f['rs1']) << 15)


_ENCODERS = {
    'R': (_enc_r, {'rd', 'rs1', 'rs2'}),
    'I': (_enc_i, {'rd', 'rs1', 'imm'}),
    'LOAD': (_enc_i, {'rd', 'rs1', 'imm'}),
    'JALR': (_enc_i, {'rd', 'rs1', 'imm'}),
    'I_SHIFT': (_enc_shift, {'rd', 'rs1', 'shamt'}),
    'S': (_enc_s, {'rs1', 'rs2', 'imm'}),
    'B': (_enc_b, {'rs1', 'rs2', 'imm'}),
    'U': (_enc_u, {'rd', 'imm|imm20'}),
    'J': (_enc_j, {'rd', 'imm'}),
    'CSR': (_enc_csr, {'rd', 'rs1', 'csr'}),
    'CSRI': (_enc_csri, {'rd', 'csr', 'zimm|imm'}),
    'AMO': (_enc_amo, {'rd', 'rs1', 'rs2', 'aq?', 'rl?'}),
    'LR': (_enc_lr, {'rd', 'rs1', 'aq?', 'rl?'}),
    'FENCE': (_enc_fence, {'pred', 'succ'}),
    'NONE': (lambda n, f: 0, set()),
    'SFENCE': (_enc_sfence, {'rs1', 'rs2'}),
    'HLV': (lambda n, f: (_reg(n, 'rs1', f['rs1']) << 15) | (_reg(n, 'rd', f['rd']) << 7),
            {'rd', 'rs1'}),
    'HSV': (_enc_sfence, {'rs1', 'rs2'}),
}


def _check_field_names(spec, fields, wanted):
    allowed, required = set(), []
    for item in wanted:
        names = item.rstrip('?').split('|')
        allowed.update(names)
        if not item.endswith('?'):
            required.append(names)
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValueError(f'{spec.name}: unexpected field(s) {unknown}; '
                         f'format {spec.fmt} takes {sorted(allowed)}')
    for names in required:
        if not any(n in fields for n in names):
            raise ValueError(f'{spec.name}: missing field {" or ".join(names)} '
                             f'(format {spec.fmt})')


def encode(spec, **fields: int) -> int:
    """The 32-bit word for instruction ``spec`` with the given operand fields.

    >>> from vlab.isa.spec import BY_NAME
    >>> hex(encode(BY_NAME['addi'], rd=10, rs1=0, imm=42))
    '0x2a00513'
    """
    encoder, wanted = _ENCODERS[spec.fmt]
    _check_field_names(spec, fields, wanted)
    return (encoder(spec.name, fields) | spec.match) & MASK32
