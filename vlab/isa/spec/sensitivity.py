"""Which instructions and CSR accesses are privileged, sensitive or innocuous.

Popek & Goldberg, "Formal requirements for virtualizable third generation architectures"
(CACM 17(7), 1974), sort a machine's instructions:

* *privileged*: traps when executed in user mode, not in supervisor mode;
* *control-sensitive*: changes the configuration of the machine's resources (the mode,
  the memory map, the processor's time);
* *behaviour-sensitive*: what it does depends on that configuration (the mode, where
  memory is mapped, the real time);
* *innocuous*: neither sensitive kind.

Their theorem: a virtual machine monitor can be built (trap-and-emulate) when every
sensitive instruction is privileged -- when a deprivileged guest executes it, it traps to
the monitor.  x86 before VT-x famously failed (Robin & Irvine 2000: 17 sensitive but
unprivileged instructions, e.g. POPF, SMSW, SGDT).

RISC-V (privileged spec 20211203) levels are U < S < M.  What may run where is a table:

* an instruction or CSR has a lowest privilege ``min_priv``: for a CSR, address bits
  9:8 (sec. 2.1); bits 11:10 == 0b11 make a CSR read-only;
* three mstatus bits (sec. 3.1.6.5) make S-mode trap on what a monitor in M needs to
  see: TVM (satp, SFENCE.VMA: lets M keep shadow page tables), TW (WFI: lets M schedule
  another guest instead of idling), TSR (SRET: lets M emulate the hypervisor extension);
* ``mcounteren``/``scounteren`` (sec. 3.1.11, 4.1.5) make reading the counters trap
  below M / in U.

``traps_at(row, priv, mstatus)`` and ``csr_access_traps`` are the checks the interpreter
(and through its exact path the DBT, which never translates a privileged instruction),
traps.py and csr.py make.  ``virtualization_holes(guest_level, ...)`` computes from the
table which sensitive instructions a guest at ``guest_level`` could run without trapping:
none, for a guest in U, or in S with TVM/TW/TSR set and the counters closed -- RISC-V
meets Popek & Goldberg's condition.

The hypervisor extension (ch. 8) adds a second column.  With V=1 (a guest in VS/VU) the
hardware itself virtualizes: what the guest may not do raises either an illegal-instruction
exception (M-level state, mstatus.TW) or a *virtual-instruction* exception (cause 22,
sec. 8.6.1) that the hypervisor in HS-mode emulates: H and VS CSRs, the H instructions,
S-level CSRs and SRET/WFI/SFENCE.VMA from VU, and in VS what ``hstatus`` VTSR/VTW/VTVM trap
(``virtual_trap``, ``virtual_csr_trap``).  The H rows (``extension='H'``) exist while
``misa.H`` is set.  HS-mode may use them, so a guest kernel run directly in S-mode (V=0)
could too: a monitor doing that on hardware whose misa.H is writable (WARL, sec. 3.1.1)
clears it; our misa is read-only, and ``virtualization_holes(..., hypervisor=True)`` shows
those holes (a guest in U-mode, or one in VS-mode, has none).

"Sensitive" is relative to the guest's level: a row touches the state of one level
(``resource``), and a guest running at that level or above owns that state (the spec's
note on TVM: a guest kernel in S-mode needs no trap on "most S-mode CSRs").  The
resource ``'machine'`` (the memory map, the processor's time, real time) belongs to the
monitor whatever level the guest runs at.  Ordinary loads and stores are innocuous: they
go through the memory map the monitor controls (Popek & Goldberg's relocation register).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from vlab.isa.privilege import M, S, U

# mstatus bits that trap S-mode operations (privileged spec sec. 3.1.6.5, Figure 3.7)
TVM, TW, TSR = 1 << 20, 1 << 21, 1 << 22
# hstatus bits that trap VS-mode operations as virtual instructions (sec. 8.2.1)
VTVM, VTW, VTSR = 1 << 20, 1 << 21, 1 << 22
HU = 1 << 9                   # hstatus.HU: HLV/HSV allowed in U-mode (V=0)
# resources: whose state an instruction touches ('H': the hypervisor's, level 2)
RESOURCE_LEVELS = {'user': U, 'S': S, 'H': 2, 'M': M, 'machine': None}
ILLEGAL, VIRTUAL_INSTRUCTION = 2, 22    # the two causes of a refused operation


@dataclass(frozen=True)
class Sensitivity:
    """One row: an instruction (``name``) or a CSR (``name`` and ``number``)."""

    name: str
    min_priv: int                 # lowest level that may execute it with all trap bits 0
    resource: str                 # 'user', 'S', 'M' or 'machine' (see module docstring)
    control: bool = False         # control-sensitive
    behaviour: bool = False       # behaviour-sensitive
    trap_bit: int = 0             # mstatus TVM/TW/TSR: makes it trap in S-mode too
    always_traps: bool = False    # ECALL, EBREAK: trap at every level, by design
    per_csr: bool = False         # a CSR instruction: see the CSR's own row
    counter: int = 0              # a counter CSR: its bit in mcounteren/scounteren
    read_only: bool = False       # a CSR whose address says read-only
    number: int | None = None     # CSR address
    why: str = ''
    virtual_trap_bit: int = 0     # hstatus VTSR/VTW/VTVM: a virtual instruction in VS-mode
    extension: str = ''           # 'H': exists only while misa.H is set

    @property
    def privileged(self) -> bool:
        return self.min_priv > U

    @property
    def sensitive(self) -> bool:
        return self.control or self.behaviour

    @property
    def kind(self) -> str:
        """'privileged', 'sensitive' (sensitive and not privileged) or 'innocuous'."""
        if self.privileged:
            return 'privileged'
        return 'sensitive' if self.sensitive else 'innocuous'

    def sensitive_for(self, guest_level: int) -> bool:
        """Sensitive for a monitor above a guest running at ``guest_level``."""
        level = RESOURCE_LEVELS[self.resource]
        return self.sensitive and (level is None or level > guest_level)


def _innocuous(names: str, why: str) -> list[Sensitivity]:
    return [Sensitivity(name, U, 'user', why=why) for name in names.split()]


INSTRUCTIONS = [
    *_innocuous('lui auipc jal jalr beq bne blt bge bltu bgeu', 'control flow, constants'),
    *_innocuous('lb lh lw lbu lhu sb sh sw', 'memory through the map the monitor controls'),
    *_innocuous('addi slti sltiu xori ori andi slli srli srai add sub sll slt sltu xor srl '
                'sra or and', 'register arithmetic'),
    *_innocuous('fence fence.tso fence.i', 'ordering of this hart\'s own accesses'),
    *_innocuous('mul mulh mulhsu mulhu div divu rem remu', 'M extension arithmetic'),
    *_innocuous('lr.w sc.w amoswap.w amoadd.w amoxor.w amoand.w amoor.w amomin.w amomax.w '
                'amominu.w amomaxu.w', 'A extension: atomic memory operations'),
    Sensitivity('ecall', U, 'user', behaviour=True, always_traps=True,
                why='its cause code (8, 9, 11) tells the mode; it always traps'),
    Sensitivity('ebreak', U, 'user', always_traps=True, why='always traps'),
    Sensitivity('mret', M, 'M', control=True, why='changes the mode; M state'),
    Sensitivity('sret', S, 'S', control=True, trap_bit=TSR, virtual_trap_bit=VTSR,
                why='changes the mode; TSR traps it for emulating the H extension'),
    Sensitivity('wfi', S, 'machine', control=True, trap_bit=TW, virtual_trap_bit=VTW,
                why='gives up the processor; TW lets a monitor run another guest'),
    Sensitivity('sfence.vma', S, 'machine', control=True, trap_bit=TVM, virtual_trap_bit=VTVM,
                why='the memory map (TLB); TVM lets a monitor keep shadow page tables'),
    *(Sensitivity(name, S, 'H', control=name.startswith('hsv'), behaviour=True,
                  extension='H', why='a guest\'s memory through its two-stage map')
      for name in ('hlv.b', 'hlv.bu', 'hlv.h', 'hlv.hu', 'hlvx.hu', 'hlv.w', 'hlvx.wu',
                   'hsv.b', 'hsv.h', 'hsv.w')),
    Sensitivity('hfence.vvma', S, 'machine', control=True, extension='H',
                why='the guest\'s memory map (TLB entries of the VS-stage)'),
    Sensitivity('hfence.gvma', S, 'machine', control=True, trap_bit=TVM, extension='H',
                why='the guest-physical memory map (G-stage); TVM traps it in HS-mode'),
    *(Sensitivity(name, U, 'user', per_csr=True, why='as the CSR it accesses')
      for name in ('csrrw', 'csrrs', 'csrrc', 'csrrwi', 'csrrsi', 'csrrci')),
]
INSTRUCTION_SENSITIVITY: dict[str, Sensitivity] = {row.name: row for row in INSTRUCTIONS}

# CSRs: the level is in the address; these ranges add a gate or a machine-wide resource
# (first, last, resource, trap bit, counter gate, why)
CSR_RULES = (
    (0x180, 0x180, 'machine', TVM, False, 'satp: the memory map; TVM traps it in S-mode'),
    (0x680, 0x680, 'machine', TVM, False, 'hgatp: the guest-physical memory map; TVM traps '
                                          'it in HS-mode'),
    (0xC00, 0xC1F, 'machine', 0, True, 'cycle, time, instret, hpmcounters: real time; '
                                        'mcounteren/scounteren close them'),
    (0xC80, 0xC9F, 'machine', 0, True, 'the upper halves of those counters (RV32)'),
)
LEVEL_RESOURCE = {U: 'user', S: 'S', 2: 'H', M: 'M'}
# The CSR address's level 2 means "hypervisor and VS CSRs": HS-mode (S with V=0) accesses them
# (sec. 8.2: "HS-mode ... the hypervisor CSRs"), so their lowest privilege is S.
LEVEL_MIN_PRIV = {U: U, S: S, 2: S, M: M}


@cache
def csr_sensitivity(number: int, name: str = '') -> Sensitivity:
    """The row of CSR ``number`` (privileged spec sec. 2.1 address convention + rules)."""
    if not 0 <= number < 0x1000:
        raise ValueError(f'a CSR address has 12 bits, got {number:#x}')
    level = number >> 8 & 3
    read_only = number >> 10 == 3
    extension = 'H' if level == 2 else ''
    for first, last, resource, trap_bit, counter, why in CSR_RULES:
        if first <= number <= last:
            return Sensitivity(name or f'{number:#05x}', LEVEL_MIN_PRIV[level], resource,
                               control=not read_only, behaviour=True, trap_bit=trap_bit,
                               counter=1 << (number & 0x1F) if counter else 0,
                               read_only=read_only, number=number, why=why,
                               virtual_trap_bit=VTVM if number == 0x180 else 0,
                               extension=extension)
    resource = LEVEL_RESOURCE[level]
    return Sensitivity(name or f'{number:#05x}', LEVEL_MIN_PRIV[level], resource,
                       control=not read_only and resource != 'user',
                       behaviour=resource != 'user', read_only=read_only, number=number,
                       why=f'{resource}-level state', extension=extension)


def traps_at(row: Sensitivity, priv: int, mstatus: int) -> bool:
    """True when executing ``row`` at ``priv`` is an illegal-instruction trap."""
    return priv < row.min_priv or (priv < M and mstatus & row.trap_bit != 0)


def csr_access_traps(number: int, write: bool, priv: int, mstatus: int, mcounteren: int,
                     scounteren: int) -> bool:
    """True when this access to an implemented CSR traps (sec. 2.1, 3.1.6.5, 3.1.11)."""
    row = csr_sensitivity(number)
    if traps_at(row, priv, mstatus) or (write and row.read_only):
        return True
    return bool(row.counter) and ((priv < M and not mcounteren & row.counter)
                                  or (priv == U and not scounteren & row.counter))


def virtual_trap(row: Sensitivity, priv: int, mstatus: int, hstatus: int) -> int | None:
    """With V=1 (a guest in VS-mode, ``priv`` S, or VU-mode, ``priv`` U): the cause of the
    exception executing instruction ``row`` raises (ILLEGAL or VIRTUAL_INSTRUCTION), or None
    (sec. 8.6.1: an instruction that HS-mode could execute but the guest may not is a
    virtual instruction; M-level ones and mstatus.TW stay illegal)."""
    if row.always_traps or row.min_priv == U:
        return None
    if row.min_priv == M or mstatus & row.trap_bit & TW:
        return ILLEGAL
    if row.extension == 'H' or priv == U or hstatus & row.virtual_trap_bit:
        return VIRTUAL_INSTRUCTION
    return None


def virtual_csr_trap(number: int, write: bool, priv: int, hstatus: int, mcounteren: int,
                     hcounteren: int, scounteren: int) -> int | None:
    """With V=1: the cause an access to implemented CSR ``number`` raises, or None
    (sec. 8.6.1 and 8.2.6: M-level CSRs and writes to read-only ones are illegal; H and VS
    CSRs, and S CSRs from VU, are virtual instructions; satp in VS with hstatus.VTVM; a
    counter closed by hcounteren (or, in VU, by scounteren) while mcounteren opens it)."""
    row = csr_sensitivity(number)
    level = number >> 8 & 3
    if level == M or (write and row.read_only):
        return ILLEGAL
    if row.counter:
        if not mcounteren & row.counter:
            return ILLEGAL
        if not hcounteren & row.counter or (priv == U and not scounteren & row.counter):
            return VIRTUAL_INSTRUCTION
        return None
    if level == 2 or (level == S and priv == U) or hstatus & row.virtual_trap_bit:
        return VIRTUAL_INSTRUCTION
    return None


def row_traps(row: Sensitivity, level: int, mstatus: int, mcounteren: int = 0,
              scounteren: int = 0, write: bool = False) -> bool:
    """Does ``row`` trap at ``level`` under this configuration (for any operand)?"""
    if row.always_traps:
        return True
    if row.number is not None:
        return csr_access_traps(row.number, write, level, mstatus, mcounteren, scounteren)
    return traps_at(row, level, mstatus)


def virtualization_holes(guest_level: int, csr_numbers, mstatus: int = TVM | TW | TSR,
                         mcounteren: int = 0, scounteren: int = 0,
                         hypervisor: bool = False) -> list[Sensitivity]:
    """Rows sensitive for a monitor above ``guest_level`` that a guest there could
    execute without trapping (reads, and writes of writable CSRs), under this mstatus and
    counter-enable configuration.  Popek & Goldberg's condition holds when it is empty.
    ``hypervisor``: misa.H is set, so the H rows exist (see the module docstring)."""
    rows = [row for row in INSTRUCTIONS if not row.per_csr]
    rows += [csr_sensitivity(number) for number in sorted(csr_numbers)]
    rows = [row for row in rows if hypervisor or row.extension != 'H']
    holes = []
    for row in rows:
        if not row.sensitive_for(guest_level):
            continue
        writes = (False,) if row.read_only or row.number is None else (False, True)
        if not all(row_traps(row, guest_level, mstatus, mcounteren, scounteren, write)
                   for write in writes):
            holes.append(row)
    return holes


__all__ = ['CSR_RULES', 'HU', 'ILLEGAL', 'INSTRUCTIONS', 'INSTRUCTION_SENSITIVITY',
           'VIRTUAL_INSTRUCTION', 'VTSR', 'VTVM', 'VTW', 'Sensitivity', 'TSR', 'TVM', 'TW',
           'csr_access_traps', 'csr_sensitivity', 'row_traps', 'traps_at', 'virtual_csr_trap',
           'virtual_trap', 'virtualization_holes']
