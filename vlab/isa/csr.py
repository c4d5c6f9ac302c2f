"""Control and status registers of the hart: storage, WARL rules and access checks.

Sources: RISC-V Privileged Architecture (20211203) sec. 2.1 (CSR address convention: bits
11:10 = 0b11 means read-only, bits 9:8 the lowest privilege that may access it), sec. 2.2
(the CSR listing), ch. 3 (machine CSRs) and ch. 4 (supervisor CSRs); Unprivileged ISA
ch. 10 (cycle/time/instret counters); ch. 8 "Hypervisor Extension, Version 1.0" (the H
CSRs, sec. 8.2.1-8.2.10; the VS CSRs, sec. 8.2.11-8.2.18; mstatush.MPV/GVA, mideleg, mip/mie,
mtval2 and mtinst: sec. 8.4 "Machine-Level CSRs"; the htinst/mtinst values: sec. 8.6.3).

Access rules (``check_access``; which accesses trap is the table in
vlab/isa/spec/sensitivity.py), each violation an illegal-instruction trap whose tval is
the instruction's bits:

* the CSR is not implemented;
* the current privilege is below the CSR's level (address bits 9:8);
* a write to a read-only CSR (address bits 11:10 == 0b11);
* ``satp`` from S-mode while ``mstatus.TVM`` = 1;
* a counter (cycle/time/instret/hpmcounterN, and the ``h`` halves) below M-mode whose
  ``mcounteren`` bit is clear, or in U-mode whose ``scounteren`` bit is clear.

Modeling choices (all allowed by the spec, documented here):

* ``sstatus``, ``sie``, ``sip`` are views of ``mstatus``, ``mie``, ``mip`` (restricted to
  the supervisor fields / the delegated interrupts), exactly as sec. 4.1 describes.
* ``mip.MTIP`` and ``mip.MSIP`` are wires from the CLINT (read-only here); ``SSIP``,
  ``STIP`` and ``SEIP`` are writable by M-mode; ``MEIP`` is 0 (no external interrupt
  controller is modeled).
* ``cycle`` counts one cycle per retired instruction (an ideal CPI-1 pipeline), so it
  advances with ``instret``; each is writable through its M-mode name.  ``time`` is the
  CLINT's ``mtime``.  hpmcounters and their events are hardwired to zero.
* ``satp``: Sv32 or Bare; no ASIDs (ASID field reads 0).  ``misa`` is read-only
  (RV32IMA + S + U).  PMP registers are plain storage: physical memory protection is not
  enforced.  ``mtvec``/``stvec`` support direct and vectored mode (a reserved mode value
  keeps the old mode); ``mepc``/``sepc`` bits 1:0 read as zero (IALIGN = 32).
* Triggers (Sdtrig) with zero triggers: ``tselect``/``tdata2``/``tdata3`` are storage and
  ``tdata1`` reads 0 ("no trigger"), as the debug spec allows.
* Not implemented (access is an illegal instruction): menvcfg/senvcfg, mcountinhibit,
  the debug-mode CSRs (dcsr, dpc, dscratch).

The hypervisor extension (misa.H = 1, fixed: misa is read-only here):

* **The V bit lives on the hart** (``Hart.virt``).  While V=1 the guest's ``sstatus``,
  ``stvec``, ``sscratch``, ``sepc``, ``scause``, ``stval`` and ``satp`` must be the vs*
  registers (sec. 8.2.10: "when V=1, vsstatus substitutes for the usual sstatus ...").
  We *swap*: on every change of V the S-level fields of mstatus and those six registers
  change places with their other copy (``swap_virtual``), so in VS-mode the plain
  names already hold the guest's values and trap entry into VS is the ordinary S-level
  rule (QEMU does the same: ``riscv_cpu_swap_hypervisor_regs``).  The vs* CSR numbers,
  accessible only with V=0, name the copy that is not in use.
* ``sie``/``sip`` with V=1 are ``vsie``/``vsip``: the VS-level bits 2, 6, 10 of mie/mip
  delegated by ``hideleg``, shown one bit lower (as SSIP, STIP, SEIP).
* ``hvip`` is stored in the software-writable bits of mip (VSSIP, VSTIP, VSEIP: no other
  source of VS interrupts is modeled); ``mideleg`` bits 2, 6, 10 read as one (sec. 8.4.2).
* GEILEN = 0 (no guest external interrupt files): ``hgeie``/``hgeip`` and hstatus.VGEIN
  are read-only zero.  ``henvcfg``/``henvcfgh`` read zero: none of the features they
  enable (FIOM, Zicbo*, Svpbmt, Sstc) is modeled.  hstatus.VSXL does not exist on RV32;
  hstatus.VSBE is zero (little-endian).  ``hgatp``: Bare or Sv32x4, VMIDLEN = 7, and the
  two low bits of PPN read zero (the 16 KiB root is 16 KiB aligned).
* ``time`` read with V=1 is ``mtime + htimedelta`` (sec. 8.2.7).
* Access checks with V=1 are the sensitivity table's ``virtual_csr_trap`` (illegal or
  virtual-instruction exception); ``swap_virtual`` installs them, so V=0 pays nothing.
"""
from __future__ import annotations

from vlab.isa.causes import Cause
from vlab.isa.fields import CSR_NAMES
from vlab.isa.privilege import M
from vlab.isa.spec.nonvirtualizable import leaky_access
from vlab.isa.spec.sensitivity import csr_access_traps, virtual_csr_trap
from vlab.isa.traps import Trap

MASK32 = 0xFFFFFFFF

# mstatus fields (privileged spec Figure 3.7, RV32)
MSTATUS_WRITABLE = (1 << 1 | 1 << 3 | 1 << 5 | 1 << 7 | 1 << 8 | 3 << 11 | 1 << 17 | 1 << 18
                    | 1 << 19 | 1 << 20 | 1 << 21 | 1 << 22)
SSTATUS_VIEW = 1 << 1 | 1 << 5 | 1 << 8 | 1 << 18 | 1 << 19     # SIE SPIE SPP SUM MXR
# interrupt bits: SSIP 1, MSIP 3, STIP 5, MTIP 7, SEIP 9, MEIP 11
# VS-level: VSSIP 2, VSTIP 6, VSEIP 10 (sec. 8.2.3); SGEIP 12 is zero (GEILEN = 0)
INTERRUPTS_IMPLEMENTED = 0xEEE
S_INTERRUPTS = 0x222
VS_INTERRUPTS = 0x444
MIP_WRITABLE = 0x666           # SSIP STIP SEIP, and hvip's VSSIP VSTIP VSEIP
MIP_CSR_WRITABLE = 0x226       # through mip: SSIP STIP SEIP and VSSIP (an alias of hvip)
# causes 0-10, 12, 13, 15, 20-23 (ecall from M cannot be delegated; 10 and 20-23: H)
MEDELEG_WRITABLE = 0xF0B7FF
HEDELEG_WRITABLE = 0xB1FF      # causes 0-8, 12, 13, 15 (sec. 8.2.2: 9-11, 20-23 read 0)
MISA = (1 << 30) | (1 << 0) | (1 << 7) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20)
#      RV32       A          H          I          M           S           U
SATP_WRITABLE = 0x803FFFFF     # MODE + PPN, no ASID bits
# hstatus (sec. 8.2.1, Figure 8.2, RV32): GVA 6, SPV 7, SPVP 8, HU 9, VTVM 20, VTW 21, VTSR 22
HSTATUS_GVA, HSTATUS_SPV, HSTATUS_SPVP = 1 << 6, 1 << 7, 1 << 8
HSTATUS_WRITABLE = 0xF << 6 | 7 << 20
# mstatush (RV32, sec. 8.4.1): GVA 6, MPV 7
MSTATUSH_GVA, MSTATUSH_MPV = 1 << 6, 1 << 7
# hgatp (sec. 8.2.10, Figure 8.26, RV32): MODE 31, VMID 28:22, PPN 21:0 (bits 1:0 zero)
HGATP_WRITABLE = 1 << 31 | 0x7F << 22 | 0x3FFFFC
VMID_SHIFT, VMID_MASK = 22, 0x7F
# the registers V=1 substitutes (see the module docstring), by attribute name
SWAPPED = ('stvec', 'sscratch', 'sepc', 'scause', 'stval', 'satp')

COUNTERS = {0xC00: 'cycle', 0xC01: 'time', 0xC02: 'instret'}


class CSRFile:
    """The CSRs of one hart.  ``hart`` supplies ``priv`` and ``instret``; ``platform``
    hooks supply ``mtime()`` and the hardware interrupt lines ``hw_mip()``."""

    PLAIN = ('mscratch', 'sscratch', 'mcause', 'scause', 'mtval', 'stval',
             'mcounteren', 'scounteren', 'mtval2', 'mtinst', 'htval', 'htinst',
             'hcounteren')

    def __init__(self, hart, mtime=lambda: 0, hw_mip=lambda: 0):
        self.hart = hart
        self.mtime = mtime
        self.hw_mip = hw_mip
        self.leaky = frozenset()       # vlab/isa/spec/nonvirtualizable.py (off)
        self.reset()
        self._table = self._build_table()

    def reset(self) -> None:
        """Reset values: everything zero, except misa (fixed)."""
        self.mstatus = self.mie = self.mip_sw = self.mideleg = self.medeleg = 0
        self.mtvec = self.stvec = self.mepc = self.sepc = 0
        self.mcause = self.scause = self.mtval = self.stval = 0
        self.mscratch = self.sscratch = self.satp = 0
        self.mcounteren = self.scounteren = 0
        self.mideleg = VS_INTERRUPTS   # read-only ones (sec. 8.4.2)
        self.mstatush = self.hstatus = self.hedeleg = self.hideleg = self.hgatp = 0
        self.htval = self.htinst = self.mtval2 = self.mtinst = self.hcounteren = 0
        self.htimedelta = 0            # 64 bits
        # the other copy of the swapped S-level registers: VS's while V=0, HS's while V=1
        self.swapped = dict.fromkeys(('status', *SWAPPED), 0)
        self.__dict__.pop('check_access', None)
        self.cycle_offset = 0          # mcycle = instret + cycle_offset
        self.instret_offset = 0        # minstret = instret + instret_offset
        self.pmp = {}                  # pmpcfg/pmpaddr/trigger storage: number -> value

    # ------------------------------------------------------------ derived values
    @property
    def mip(self) -> int:
        return (self.mip_sw & MIP_WRITABLE) | self.hw_mip()

    def counter(self, name: str) -> int:
        """64-bit value of cycle, time or instret."""
        if name == 'time':
            if self.hart.virt:                        # the guest's time (sec. 8.2.7)
                return (self.mtime() + self.htimedelta) & ((1 << 64) - 1)
            return self.mtime()
        offset = self.cycle_offset if name == 'cycle' else self.instret_offset
        return (self.hart.instret + offset) & ((1 << 64) - 1)

    def _set_counter(self, name: str, value: int, high: bool) -> None:
        # Zicsr (ch. 9): "if a CSR access instruction writes such a CSR, the write is done
        # instead of the increment": the value written is what the next instruction reads,
        # so the offset compensates for the writing instruction's own retirement.
        current = self.counter(name)
        new = (current & MASK32) | (value << 32) if high else (current & ~MASK32) | value
        attr = 'cycle_offset' if name == 'cycle' else 'instret_offset'
        setattr(self, attr, getattr(self, attr) + new - (current + 1))

    # ------------------------------------------------------------ the table
    def _build_table(self) -> dict[int, tuple]:
        """number -> (read(), write(value) or None)."""
        t = {}
        for name in self.PLAIN:
            t[_num(name)] = (lambda n=name: getattr(self, n),
                             lambda v, n=name: setattr(self, n, v))
        t[_num('mstatus')] = (lambda: self.mstatus, self._write_mstatus)
        t[_num('sstatus')] = (lambda: self.mstatus & SSTATUS_VIEW, self._write_sstatus)
        t[_num('mstatush')] = (lambda: self.mstatush, lambda v: setattr(
            self, 'mstatush', v & (MSTATUSH_GVA | MSTATUSH_MPV)))
        t[_num('misa')] = (lambda: MISA, lambda v: None)
        for name in ('mvendorid', 'marchid', 'mimpid', 'mhartid', 'mconfigptr'):
            t[_num(name)] = (lambda: 0, None)
        t[_num('medeleg')] = (lambda: self.medeleg,
                              lambda v: setattr(self, 'medeleg', v & MEDELEG_WRITABLE))
        t[_num('mideleg')] = (lambda: self.mideleg, lambda v: setattr(
            self, 'mideleg', v & S_INTERRUPTS | VS_INTERRUPTS))
        t[_num('mie')] = (lambda: self.mie,
                          lambda v: setattr(self, 'mie', v & INTERRUPTS_IMPLEMENTED))
        t[_num('mip')] = (lambda: self.mip, lambda v: self._write_mip(v, MIP_CSR_WRITABLE))
        t[_num('sie')] = (self._read_sie, self._write_sie)
        t[_num('sip')] = (self._read_sip, self._write_sip)
        t[_num('mtvec')] = (lambda: self.mtvec, lambda v: setattr(self, 'mtvec',
                                                                  _tvec(self.mtvec, v)))
        t[_num('stvec')] = (lambda: self.stvec, lambda v: setattr(self, 'stvec',
                                                                  _tvec(self.stvec, v)))
        t[_num('mepc')] = (lambda: self.mepc, lambda v: setattr(self, 'mepc', v & ~3))
        t[_num('sepc')] = (lambda: self.sepc, lambda v: setattr(self, 'sepc', v & ~3))
        t[_num('satp')] = (lambda: self.satp, self._write_satp)
        for base, high in ((0xC00, False), (0xC80, True), (0xB00, False), (0xB80, True)):
            for index, name in ((0, 'cycle'), (1, 'time'), (2, 'instret')):
                if base in (0xB00, 0xB80) and name == 'time':
                    continue             # there is no mtime CSR
                t[base + index] = self._counter_access(name, high, writable=base >= 0xB00)
            for n in range(3, 32):       # hpmcounters: hardwired zero
                t[base + n] = (lambda: 0, (lambda v: None) if base >= 0xB00 else None)
        for n in range(3, 32):
            t[0x320 + n] = (lambda: 0, lambda v: None)            # mhpmevent
        # Sdtrig with no triggers: tdata1 reads 0 (type 0: "no trigger"), writes ignored
        for n in (0x7A0, 0x7A2, 0x7A3):
            t[n] = (lambda n=n: self.pmp.get(n, 0),
                    lambda v, n=n: self.pmp.__setitem__(n, v))
        t[0x7A1] = (lambda: 0, lambda v: None)
        for n in list(range(0x3A0, 0x3A4)) + list(range(0x3B0, 0x3C0)):
            t[n] = (lambda n=n: self.pmp.get(n, 0),
                    lambda v, n=n: self.pmp.__setitem__(n, v))
        t.update(self._hypervisor_table())
        return t

    def _hypervisor_table(self) -> dict[int, tuple]:
        """The CSRs of the H extension (module docstring)."""
        t = {}
        t[_num('hstatus')] = (lambda: self.hstatus, lambda v: setattr(
            self, 'hstatus', v & HSTATUS_WRITABLE))
        t[_num('hedeleg')] = (lambda: self.hedeleg, lambda v: setattr(
            self, 'hedeleg', v & HEDELEG_WRITABLE))
        t[_num('hideleg')] = (lambda: self.hideleg, lambda v: setattr(
            self, 'hideleg', v & VS_INTERRUPTS))
        t[_num('hie')] = (lambda: self.mie & VS_INTERRUPTS, lambda v: setattr(
            self, 'mie', self.mie & ~VS_INTERRUPTS | v & VS_INTERRUPTS))
        t[_num('hip')] = (lambda: self.mip & VS_INTERRUPTS,
                          lambda v: self._write_mip(v, 1 << 2))
        t[_num('hvip')] = (lambda: self.mip_sw & VS_INTERRUPTS,
                           lambda v: self._write_mip(v, VS_INTERRUPTS))
        t[_num('hgatp')] = (lambda: self.hgatp, lambda v: setattr(
            self, 'hgatp', v & HGATP_WRITABLE))
        for name in ('hgeie', 'henvcfg', 'henvcfgh'):
            t[_num(name)] = (lambda: 0, lambda v: None)
        t[_num('hgeip')] = (lambda: 0, None)
        t[_num('htimedelta')] = (lambda: self.htimedelta & MASK32, lambda v: setattr(
            self, 'htimedelta', self.htimedelta & ~MASK32 | v))
        t[_num('htimedeltah')] = (lambda: self.htimedelta >> 32, lambda v: setattr(
            self, 'htimedelta', self.htimedelta & MASK32 | v << 32))
        # the VS CSRs: the copy not in use while V=0 (the guest cannot name them with
        # V=1; Python, by name, then reaches the registers in use, which are VS's)
        for name, legal in (('stvec', _tvec), ('sscratch', None),
                            ('sepc', lambda old, v: v & ~3), ('scause', None),
                            ('stval', None), ('satp', lambda old, v: v & SATP_WRITABLE)):
            t[_num('v' + name)] = (lambda n=name: self._vs_read(n),
                                   lambda v, n=name, f=legal: self._vs_write(n, v, f))
        t[_num('vsstatus')] = (lambda: self._vs_read('status') & SSTATUS_VIEW,
                               lambda v: self._vs_write('status', v, _sstatus_fields))
        t[_num('vsie')] = (lambda: (self.mie & self.hideleg) >> 1, self._write_vsie)
        t[_num('vsip')] = (lambda: (self.mip & self.hideleg) >> 1, self._write_vsip)
        return t

    def _vs_read(self, name: str) -> int:
        if self.hart.virt:
            return self.mstatus if name == 'status' else getattr(self, name)
        return self.swapped[name]

    def _vs_write(self, name: str, value: int, legal) -> None:
        value = legal(self._vs_read(name), value) if legal else value
        if not self.hart.virt:
            self.swapped[name] = value
        elif name == 'status':
            self._write_sstatus(value)
        else:
            setattr(self, name, value)

    # ------------------------------------------------------------ the V bit
    def swap_virtual(self, virt: bool) -> None:
        """V changes (to ``virt``): the S-level fields of mstatus and the registers of
        ``SWAPPED`` change places with their other copy; with V=1 the access checks are
        the virtual ones (module docstring)."""
        other = self.swapped
        status = self.mstatus
        self.mstatus = status & ~SSTATUS_VIEW | other['status'] & SSTATUS_VIEW
        other['status'] = status & SSTATUS_VIEW
        for name in SWAPPED:
            value = getattr(self, name)
            setattr(self, name, other[name])
            other[name] = value
        self.use_checks(virt)

    def use_checks(self, virt: bool) -> None:
        """The access checks of V=0 (the class's) or of V=1 (``_check_virtual_access``)."""
        if virt:
            self.check_access = self._check_virtual_access
        else:
            self.__dict__.pop('check_access', None)

    @property
    def vmid(self) -> int:
        """hgatp.VMID: the address-space tag of the guest (sec. 8.2.10)."""
        return self.hgatp >> VMID_SHIFT & VMID_MASK

    def _counter_access(self, name, high, writable):
        def read():
            value = self.counter(name)
            return value >> 32 if high else value & MASK32
        write = (lambda v: self._set_counter(name, v, high)) if writable else None
        return read, write

    def _write_mstatus(self, v: int) -> None:
        if (v >> 11) & 3 == 2:                       # MPP is WARL: 2 is reserved
            v = (v & ~(3 << 11)) | (self.mstatus & (3 << 11))
        self.mstatus = (self.mstatus & ~MSTATUS_WRITABLE) | (v & MSTATUS_WRITABLE)

    def _write_sstatus(self, v: int) -> None:
        self.mstatus = (self.mstatus & ~SSTATUS_VIEW) | (v & SSTATUS_VIEW)

    def _read_sie(self) -> int:
        if self.hart.virt:
            return (self.mie & self.hideleg) >> 1       # vsie (sec. 8.2.12)
        return self.mie & self.mideleg & S_INTERRUPTS

    def _read_sip(self) -> int:
        if self.hart.virt:
            return (self.mip & self.hideleg) >> 1       # vsip
        return self.mip & self.mideleg & S_INTERRUPTS

    def _write_sie(self, v: int) -> None:
        if self.hart.virt:
            return self._write_vsie(v)
        writable = self.mideleg & S_INTERRUPTS
        self.mie = (self.mie & ~writable) | (v & writable)

    def _write_sip(self, v: int) -> None:
        if self.hart.virt:
            return self._write_vsip(v)
        writable = self.mideleg & 0x2                # only SSIP is writable through sip
        self.mip_sw = (self.mip_sw & ~writable) | (v & writable)

    def _write_vsie(self, v: int) -> None:
        writable = self.hideleg & VS_INTERRUPTS
        self.mie = (self.mie & ~writable) | (v << 1 & writable)

    def _write_vsip(self, v: int) -> None:
        self._write_mip(v << 1, self.hideleg & 1 << 2)   # only VSSIP, when delegated

    def _write_mip(self, v: int, writable: int) -> None:
        self.mip_sw = (self.mip_sw & ~writable) | (v & writable)

    def _write_satp(self, v: int) -> None:
        self.satp = v & SATP_WRITABLE

    # ------------------------------------------------------------ access
    def _check_virtual_access(self, number: int, write: bool, priv: int, word: int) -> tuple:
        """``check_access`` while V=1 (installed by ``swap_virtual``): the sensitivity
        table's ``virtual_csr_trap`` says illegal instruction or virtual instruction."""
        if priv == M:                                   # Python by name (never V=1 in M)
            return CSRFile.check_access(self, number, write, priv, word)
        entry = self._table.get(number)
        if entry is None or (write and entry[1] is None):
            raise Trap(Cause.ILLEGAL_INSTRUCTION, word)
        cause = virtual_csr_trap(number, write, priv, self.hstatus, self.mcounteren,
                                 self.hcounteren, self.scounteren)
        if cause is not None:
            raise Trap(cause, word)
        return entry

    def implemented(self, number: int) -> bool:
        return number in self._table

    def check_access(self, number: int, write: bool, priv: int, word: int) -> tuple:
        """The (read, write) pair for ``number``, or raise illegal instruction.  Which
        accesses trap is the sensitivity table's (vlab/isa/spec/sensitivity.py)."""
        entry = self._table.get(number)
        if self.leaky and entry is not None:      # the non-virtualizable switch
            leaked = leaky_access(self, number, priv, entry)
            if leaked is not None:
                return leaked
        if entry is None or (write and entry[1] is None) or csr_access_traps(
                number, write, priv, self.mstatus, self.mcounteren, self.scounteren):
            raise Trap(Cause.ILLEGAL_INSTRUCTION, word)
        return entry

    def numbers(self) -> list[int]:
        """Every implemented CSR address, in order."""
        return sorted(self._table)

    def read(self, number: int, priv: int = M, word: int = 0) -> int:
        """CSR read with the architectural checks (illegal -> Trap(2, word))."""
        return self.check_access(number, False, priv, word)[0]() & MASK32

    def write(self, number: int, value: int, priv: int = M, word: int = 0) -> None:
        """CSR write with the architectural checks and WARL legalisation."""
        self.check_access(number, True, priv, word)[1](value & MASK32)

    # by-name convenience for Python firmware, kernels and tests (no privilege checks)
    def __getitem__(self, name: str) -> int:
        return self.read(_num(name), M)

    def __setitem__(self, name: str, value: int) -> None:
        self._table[_num(name)][1](value & MASK32)

    def state(self) -> dict:
        """Everything a snapshot needs."""
        names = ('mstatus', 'mie', 'mip_sw', 'mideleg', 'medeleg', 'mtvec', 'stvec', 'mepc',
                 'sepc', 'mcause', 'scause', 'mtval', 'stval', 'mscratch', 'sscratch',
                 'satp', 'mcounteren', 'scounteren', 'cycle_offset', 'instret_offset',
                 'mstatush', 'hstatus', 'hedeleg', 'hideleg', 'hgatp', 'htval', 'htinst',
                 'mtval2', 'mtinst', 'hcounteren', 'htimedelta')
        state = {n: getattr(self, n) for n in names}
        state['pmp'] = dict(self.pmp)
        state['swapped'] = dict(self.swapped)
        return state

    def set_state(self, state: dict) -> None:
        """Restore ``state`` (the hart restores V first, so the access checks match)."""
        for name, value in state.items():
            if name == 'swapped':
                self.swapped.update(value)
            else:
                setattr(self, name, dict(value) if name == 'pmp' else value)


def _num(name: str) -> int:
    from vlab.isa.fields import CSR_NUMBERS
    try:
        return CSR_NUMBERS[name]
    except KeyError:
        raise KeyError(f'unknown CSR {name!r}') from None


def _sstatus_fields(old: int, value: int) -> int:
    return old & ~SSTATUS_VIEW | value & SSTATUS_VIEW


def _tvec(old: int, value: int) -> int:
    mode = value & 3
    if mode > 1:
        mode = old & 3
    return (value & ~3) | mode


def csr_name(number: int) -> str:
    return CSR_NAMES.get(number, f'{number:#05x}')
