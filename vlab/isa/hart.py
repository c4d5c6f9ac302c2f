"""The hart: one RISC-V hardware thread's architectural state.

Source: RISC-V Unprivileged ISA (20191213) sec. 2.1 (x0..x31 and pc; x0 is hardwired to
zero) and the Privileged Architecture (20211203) sec. 1.2 (privilege levels U=0, S=1, M=3)
and ch. 8 (the virtualization mode V of the hypervisor extension: V=1 makes S and U the
guest's VS and VU; it resets to 0, sec. 8.2).

The integer registers are a plain Python list of 32 unsigned 32-bit ints -- the
interpreter's handlers index it directly, and tests and lockstep comparisons read it as
``hart.x``.  ``x[0]`` is always 0 because no handler ever writes it.
"""
from __future__ import annotations

from vlab.isa.csr import CSRFile
from vlab.isa.privilege import PRIV_NAMES, VIRTUAL, M


class Hart:
    """Registers, pc, privilege level, CSRs and the LR/SC reservation of one hart."""

    def __init__(self, hartid: int = 0, mtime=lambda: 0, hw_mip=lambda: 0):
        self.hartid = hartid
        self.x: list[int] = [0] * 32
        self.pc = 0
        self.priv = M                 # harts reset into M-mode (privileged spec sec. 3.4)
        self.virt = 0                 # the V bit: 1 while a guest runs (VS/VU)
        self.on_virt_change: list = []   # callables(virt): engines pick their V=1 paths
        # the last fault of a guest-memory access (two-stage translation, HLV/HSV): what
        # the trap entry taking it reports (traps.py) -- (cause, tval, guest-physical
        # address or None, htinst value); it speaks only for a trap with that cause/tval
        self.guest_fault: tuple | None = None
        self.instret = 0              # instructions retired since reset (exact)
        self.reservation: int | None = None   # physical address reserved by LR.W
        self.waiting = False          # stalled in WFI
        self.current_word = 0         # bits of the instruction being executed (slow path)
        self.csr = CSRFile(self, mtime=mtime, hw_mip=hw_mip)

    def set_priv(self, priv: int) -> None:
        self.priv = priv

    def set_virt(self, virt: int) -> None:
        """Change the V bit: the CSR file swaps the S-level registers with their VS copies
        (vlab/isa/csr.py) and the engines are told (``on_virt_change``)."""
        virt = 1 if virt else 0
        if virt == self.virt:
            return
        self.virt = virt
        self.csr.swap_virtual(virt)
        for listener in self.on_virt_change:
            listener(virt)

    def reset(self, pc: int = 0) -> None:
        """Power-on state: registers zero, M-mode, CSRs reset."""
        self.x[:] = [0] * 32
        self.set_virt(0)
        self.pc, self.priv, self.instret = pc, M, 0
        self.reservation, self.waiting = None, False
        self.csr.reset()

    @property
    def priv_name(self) -> str:
        return PRIV_NAMES[self.priv | (VIRTUAL if self.virt and self.priv != M else 0)]

    def state(self) -> dict:
        """A plain-data copy of the architectural state (for snapshots and comparisons)."""
        return {'x': list(self.x), 'pc': self.pc, 'priv': self.priv, 'virt': self.virt,
                'instret': self.instret,
                'reservation': self.reservation, 'waiting': self.waiting,
                'csr': self.csr.state()}

    def set_state(self, state: dict) -> None:
        self.x[:] = state['x']
        self.pc, self.priv, self.instret = state['pc'], state['priv'], state['instret']
        self.reservation, self.waiting = state['reservation'], state['waiting']
        self.csr.set_state(state['csr'])           # stored as it was: no swap
        self.virt = state.get('virt', 0)
        self.csr.use_checks(self.virt)
        for listener in self.on_virt_change:
            listener(self.virt)

    def __repr__(self) -> str:
        return f'<Hart {self.hartid} pc={self.pc:#010x} {self.priv_name}-mode>'
