"""Binary translation (``--cpu bt``): VMware's way around non-virtualizable instructions.

x86 before VT-x had sensitive instructions that did not trap in user mode (Robin &
Irvine 2000), so trap-and-emulate could not work.  VMware's answer (Adams & Agesen,
ASPLOS 2006, sec. 3; Hwang et al. 2011, sec. 3.2.2 "full virtualization with binary
translation"): run guest *user* code directly, and *translate* guest *kernel* code
before it runs -- copy the innocuous instructions, and replace each sensitive one by a
*callout*, a call into the monitor's emulation, which is much cheaper than a trap round
trip and does not depend on the hardware trapping at all.

This VMM is the trap-and-emulate VMM (vlab/hardware/trap_emulate.py: virtual CPU,
shadow page tables, exits for page faults and interrupts) with a translator in front:

* **Where the translator sits.**  A rewriter installed on the machine's engine
  (vlab/isa/dbt/callouts.py) sees every guest instruction when it is predecoded -- the
  code both engines build their work from: the interpreter runs those handlers, and the
  DBT translates blocks of them into Python functions (vlab/isa/dbt/engine.py), ending
  each block before a sensitive row.  So under ``--engine dbt`` the guest kernel's
  innocuous code runs as translated blocks and traces, and each sensitive instruction is
  a callout between blocks; under ``--engine interp`` the kernel's predecoded
  instructions are the copies, each sensitive one a callout.  *Simplified*: the DBT
  translates hot code only (after 64 entries), so cold kernel code is interpreted from
  the rewritten predecoded handlers instead of being translated block by block; and a
  block is translated as its instructions are first reached, one at a time, not scanned
  ahead (fetching ahead would walk the guest's page tables and set their accessed bits
  before the guest does, and the engines must agree with the bare machine bit for bit).
* **What is replaced (``CALLOUT_ROWS``).**  The rows of the Popek-Goldberg table
  (vlab/isa/spec/sensitivity.py) sensitive for a guest deprivileged to U-mode that the
  VMM emulates: CSR accesses to sensitive CSRs (by each CSR's own row), MRET, SRET,
  WFI, SFENCE.VMA, and ECALL.  The decision is the table's, not the hardware's: the
  CSR accesses the non-virtualizable switch makes silent
  (vlab/isa/spec/nonvirtualizable.py) are replaced like all others, which is why this
  method stays correct where trap-and-emulate fails.
* **Kernel and user.**  A callout site acts in the guest's kernel (virtual M- or
  S-mode).  In virtual U-mode the original instruction runs directly and traps as under
  trap-and-emulate (a guest system call is a VM exit, as it was for VMware) -- except
  the silent rows, which a user program must still see trap: their callout reflects the
  illegal instruction.  (The machine keys predecoded code by the real address space,
  which guest kernel and user can share; so the site checks the virtual level when it
  runs instead of being translated per mode.  *Simplified* in that way.)
* **A callout** emulates the instruction on the virtual CPU with the trap-and-emulate
  VMM's own emulators (vlab/hardware/privileged.py), with no trap: it runs on the
  machine's exact path (as CSR instructions do on the bare machine), retires the
  instruction, and is charged ``bt_callout`` (vlab/host/costs.py) instead of
  ``vm_exit``.  When the emulation must *enter the guest's trap vector* instead -- an
  ECALL of the virtual kernel, an instruction illegal at the guest's level -- the
  callout hands the machine the trap to enter (it does not retire), and the VMM enters
  it into the guest, again charged as ``bt_callout``, not as an exit.
* **What still exits.**  Page faults (shadow fills and guest faults), interrupts, the
  guest's user-mode traps, and the VMM stopping an idle or broken guest: these need
  the monitor whatever the guest's code is.

Counted: ``translated`` (guest-kernel instructions translated), ``callout_sites``
(sensitive instructions replaced), ``callouts`` (by instruction), plus the VMM's
``exits``; ``translation_stats()`` adds the DBT's block and trace counts.  Explained:
``listing(pc)`` shows the translated code at ``pc``, each instruction a copy or a
callout.
"""
from __future__ import annotations

from collections import Counter

from vlab.isa.causes import Cause
from vlab.isa.dbt.callouts import install_rewriter
from vlab.isa.disasm import disassemble
from vlab.isa.mmu import NeedSlowPath
from vlab.isa.privilege import U
from vlab.isa.spec.sensitivity import INSTRUCTION_SENSITIVITY, csr_sensitivity
from vlab.isa.traps import ECALL_CAUSE, Trap

from .privileged import EMULATORS
from .trap_emulate import GuestStop, TrapAndEmulate

# The instructions a callout replaces: every emulated row, and ECALL (the virtual
# kernel's own system call into its firmware or its M-mode).
CALLOUT_ROWS = frozenset({*EMULATORS, 'ecall'})
BT_NAME = 'binary-translation callouts'


def sensitive_for_guest(name: str, fields: dict) -> bool:
    """The table's verdict for a guest deprivileged to U-mode: a CSR instruction is as
    sensitive as its CSR (user CSRs such as ``fflags`` are not), any other row by its
    own row.  ECALL is behaviour-sensitive (its cause code names the mode); the table
    does not count it for trap-and-emulate because it always traps, but a translator
    that avoids traps must replace it too."""
    row = INSTRUCTION_SENSITIVITY[name]
    if row.per_csr:
        return csr_sensitivity(fields['csr']).sensitive_for(U)
    return row.sensitive_for(U) or (row.sensitive and row.always_traps)


class CalloutContext:
    """What an emulator reads and writes (the part of a trap context it uses): the
    guest's registers, and the pc of the instruction being emulated."""

    def __init__(self, hart, pc: int):
        self.hart, self.epc = hart, pc

    def reg(self, n: int) -> int:
        return self.hart.x[n]

    def set_reg(self, n: int, value: int) -> None:
        if n:
            self.hart.x[n] = value & 0xFFFFFFFF


class BinaryTranslation(TrapAndEmulate):
    """The VMM of one VM: trap-and-emulate plus a kernel-code translator with callouts."""

    def __init__(self, machine, memory):
        super().__init__(machine, memory)
        self.translated = 0                       # guest-kernel instructions translated
        self.callout_sites = 0                    # ... of which replaced by a callout
        self.callouts: Counter = Counter()        # instruction -> callouts made
        self._entry: tuple | None = None          # a trap a callout enters into the guest
        # Most recent first: this sees the machine's traps before the VMM's exit handler,
        # and takes only those a callout raised (declines all others).
        self.callout_registration = machine.traps.register(
            'M', self._enter_from_callout, causes='all', charge_as='bt_callout',
            name=BT_NAME)
        install_rewriter(machine.engine, self.translate)

    # ------------------------------------------------------------ the translator
    def translate(self, handler, decoded, pc: int):
        """Called for each instruction the engine predecodes: keep it (a copy), or
        replace it by a callout site."""
        spec, fields = decoded
        kernel = self.vcpu.priv != U
        if kernel:
            self.translated += 1
            self.machine.ledger.charge('bt_translate')
        if spec.name not in CALLOUT_ROWS or not sensitive_for_guest(spec.name, fields):
            return handler
        self.callout_sites += kernel
        return self._callout_site(handler, spec.name, fields, pc)

    def _callout_site(self, original, name: str, fields: dict, pc: int):
        vcpu, mmu, hart = self.vcpu, self.machine.mmu, self.machine.hart
        silent_csr = fields.get('csr') if INSTRUCTION_SENSITIVITY[name].per_csr else None
        callout = self.callout

        def site():
            if vcpu.priv == U and silent_csr not in getattr(hart.csr, 'leaky', ()):
                return original()               # guest user code runs directly
            if not mmu.slow:                    # callouts run on the exact path
                raise NeedSlowPath
            return callout(name, fields, pc)
        site.callout = name
        return site

    # ------------------------------------------------------------ callouts
    def callout(self, name: str, fields: dict, pc: int) -> int:
        """Emulate ``name`` at ``pc`` on the virtual CPU; returns the next pc.  A trap
        the guest must take instead is handed to the machine (``_enter_from_callout``)."""
        self.callouts[name] += 1
        hart = self.machine.hart
        self.word = hart.current_word
        vcpu = self.vcpu
        if name == 'ecall':
            return self._raise_into_guest(('trap', ECALL_CAUSE[vcpu.priv], 0))
        try:
            outcome = EMULATORS[name](self, CalloutContext(hart, pc), name, fields)
        except Trap as fault:                   # not allowed at the guest's virtual level
            return self._raise_into_guest(('trap', fault.cause, fault.tval))
        if isinstance(outcome, str):            # an idle WFI: the VM stops
            return self._raise_into_guest(('stop', outcome))
        self.machine.ledger.charge('bt_callout')
        self.emulated[name] += 1
        self.select_address_space()
        pending = vcpu.pending()
        if pending is not None and vcpu.handler_base(pending, True):
            hart.reservation = None             # the interrupt the callout let in
            self.last_injected = GuestStop(f'guest interrupt {pending} after {name}', None,
                                           0, outcome)
            outcome = vcpu.enter_trap(pending, 0, True, outcome)
        self.arm_interrupts()
        return outcome

    def _raise_into_guest(self, entry: tuple) -> int:
        """The callout cannot simply continue: the guest enters a trap vector (or the VM
        stops).  The instruction does not retire; the machine's trap path carries the
        entry to ``_enter_from_callout``."""
        self._entry = entry
        raise Trap(Cause.ILLEGAL_INSTRUCTION, self.word)

    def _enter_from_callout(self, ctx):
        entry, self._entry = self._entry, None
        if entry is None or ctx.interrupt:
            return ctx.decline()                # a real trap: the VMM's exit handler
        if entry[0] == 'stop':                  # as trap-and-emulate: WFI retires, stops
            self.machine.hart.instret += 1
            self.machine.engine.on_retire(1)
            return self._stop(ctx, GuestStop(entry[1], pc=ctx.epc + 4))
        return self._reflect(ctx, entry[1], entry[2])

    # ------------------------------------------------------------ explaining
    def listing(self, start: int, count: int = 16) -> list[tuple[int, str, str]]:
        """The translation of the guest code at ``start`` in the current address space,
        for showing (chapter 4): ``(pc, disassembly, 'copy' | 'callout')`` per
        instruction translated so far, up to ``count`` or the first one not translated."""
        cache, rows = self.machine.engine.cache, []
        for pc in range(start, start + 4 * count, 4):
            handler = cache.get(pc)
            if handler is None:
                break
            kind = 'callout' if getattr(handler, 'callout', None) else 'copy'
            rows.append((pc, disassemble(handler.word, pc), kind))
        return rows

    # ------------------------------------------------------------ statistics
    def translation_stats(self) -> dict:
        """What ``--stats`` prints for bt."""
        stats = {'guest-kernel instructions translated': self.translated,
                 'callout sites (sensitive instructions replaced)': self.callout_sites,
                 'callouts made': sum(self.callouts.values())}
        stats.update({f'  {name}': count for name, count in sorted(self.callouts.items())})
        dbt = getattr(self.machine.engine, 'stats', None)
        if dbt is not None:
            stats['DBT blocks translated'] = dbt.blocks_translated
            stats['DBT traces formed'] = dbt.traces_formed
        return stats


__all__ = ['BT_NAME', 'CALLOUT_ROWS', 'BinaryTranslation', 'CalloutContext',
           'sensitive_for_guest']
