"""A balloon in a running hardware-assisted VM: the guest's driver calls the VMM.

The guest side is guest code (``BALLOON_GUEST`` below is a small bare-metal guest
whose S-mode "driver" does it): it picks pages it will not use, writes their page
numbers into a list in its memory and makes the hypercall -- an ``ecall`` from VS-mode
with the SBI calling convention (SBI spec v2.0, ch. 3: extension ID in a7, function ID
in a6, arguments in a0..a5; error in a0, value in a1), in the SBI *experimental*
extension space (0x08000000-0x08FFFFFF):

==========================  ===============================================================
``a7 = BALLOON_EID``        0x0800BA11
``a6 = 0`` inflate          a0 = guest-physical address of a list of 32-bit page numbers
                            (gpa >> 12), a1 = their count (at most 1024); the VMM
                            unmaps each page from the G-stage, zeroes and frees its frame;
                            returns a0 = 0, a1 = pages reclaimed
``a6 = 1`` deflate          same arguments: the pages are the guest's again (a fresh zeroed
                            frame on first touch)
errors                      a0 = -3 (SBI_ERR_INVALID_PARAM): a page outside guest RAM, the
                            list's own page, a count over 1024; nothing changes
==========================  ===============================================================

The VMM side (``LiveBalloon``) is a handler on the machine's HS-mode trap router ahead
of the VMM's own (``priority=1``); it declines every other ecall and fault.  A guest that
touches a page it gave away gets a fresh zeroed frame (a guest-page fault, demand-zero),
as KVM does: ballooned contents are gone.  Each call is one ``hypercall`` in the ledger
(the exit is charged as ``vm_exit`` by the router).

Simplified: the identity G-stage of vlab/hardware/g_stage.py means a freed frame comes
back as the same frame (zeroed); only 4 KiB leaves (guest RAM under 4 MiB).
"""
from __future__ import annotations

import struct

from vlab.hardware.g_stage import GUEST_RWX
from vlab.isa.pagetable import PAGE
from vlab.isa.traps import Cause

BALLOON_EID, INFLATE, DEFLATE = 0x0800_BA11, 0, 1
SBI_ERR_INVALID_PARAM = -3


class LiveBalloon:
    """The VMM side of the balloon of ``vm`` (a VirtualMachine with ``cpu='hw'``)."""

    def __init__(self, vm):
        if not hasattr(vm.vmm, 'g_stage'):
            raise ValueError(f'--cpu {vm.cpu} has no G-stage table: the live balloon '
                             'needs --cpu hw')
        self.vm, self.machine = vm, vm.machine
        self.table, self.vmid = vm.vmm.g_stage, vm.vmm.hgatp >> 22 & 0x7F
        self.ballooned: set[int] = set()          # gpas given back and not yet touched
        self.reclaimed = self.refused = self.demand_zero = 0
        traps = self.machine.traps
        self.registrations = [
            traps.register('S', self._ecall, causes=[Cause.VIRTUAL_SUPERVISOR_ECALL],
                           charge_as='vm_exit', name='balloon hypercall', priority=1),
            traps.register('S', self._fault, causes='guest-page-faults',
                           charge_as='vm_exit', name='balloon demand-zero', priority=1)]

    def _ecall(self, ctx):
        if ctx.reg(17) != BALLOON_EID:
            return ctx.decline()
        self.machine.ledger.charge('hypercall')
        function, list_gpa, count = ctx.reg(16), ctx.reg(10), ctx.reg(11)
        pages = self._read_list(list_gpa, count) if function in (INFLATE, DEFLATE) else None
        if pages is None:
            self.refused += 1
            ctx.set_reg(10, SBI_ERR_INVALID_PARAM & 0xFFFFFFFF)
            return ctx.resume(ctx.epc + 4)
        done = 0
        for page in pages:
            if function == INFLATE and page not in self.ballooned:
                self.machine.bus.store(self.table.lookup(page).pte_addr, 4, 0)
                self.machine.bus.write_bytes(page, bytes(PAGE))
                self.ballooned.add(page)
                done += 1
            elif function == DEFLATE and page in self.ballooned:
                self._remap(page)
                done += 1
        self.reclaimed += done if function == INFLATE else -done
        self.machine.hfence_gvma(self.vmid)
        ctx.set_reg(10, 0)
        ctx.set_reg(11, done)
        return ctx.resume(ctx.epc + 4)

    def _read_list(self, list_gpa: int, count: int) -> list[int] | None:
        memory = self.vm.memory
        if not 0 < count <= 1024 or not memory.is_ram(list_gpa) \
                or not memory.is_ram(list_gpa + 4 * count - 1):
            return None
        raw = self.machine.bus.read_bytes(list_gpa, 4 * count)
        pages = [pfn << 12 for pfn in struct.unpack(f'<{count}I', raw)]
        for page in pages:
            found = None if page in self.ballooned else self.table.lookup(page)
            if not memory.is_ram(page) or page == list_gpa & ~(PAGE - 1) or \
                    (page not in self.ballooned and (found is None or found.level)):
                return None
        return pages

    def _remap(self, page: int) -> None:
        self.table.map(page, page, GUEST_RWX)
        self.ballooned.discard(page)

    def _fault(self, ctx):
        gpa = ctx.guest_physical_address
        page = None if gpa is None else gpa & ~(PAGE - 1)
        if page not in self.ballooned:
            return ctx.decline()
        self._remap(page)                                # frame zeroed at inflate
        self.reclaimed -= 1
        self.demand_zero += 1
        self.machine.hfence_gvma(self.vmid)
        return ctx.resume(ctx.epc)


BALLOON_GUEST = '''
.text
.globl _start
_start:
    li t0, 0x800                    # MPP = S, translation off: guest-physical addresses
    csrw mstatus, t0
    la t0, s_code
    csrw mepc, t0
    mret
s_code:
    la t0, pool                     # the driver's victims: 8 pages it fills first
    li t1, 8
1:  li t2, 0x5A5A5A5A
    sw t2, 0(t0)
    li t2, 4096
    add t0, t0, t2
    addi t1, t1, -1
    bnez t1, 1b
    la t0, pool                     # the list of their page numbers
    la t3, list
    li t1, 8
2:  srli t2, t0, 12
    sw t2, 0(t3)
    addi t3, t3, 4
    li t2, 4096
    add t0, t0, t2
    addi t1, t1, -1
    bnez t1, 2b
    la a0, list                     # the hypercall: inflate by 8 pages
    li a1, 8
    li a6, 0
    li a7, 0x0800BA11
    ecall
    li gp, 2
    bnez a0, fail                   # SBI error
    li t1, 8
    bne a1, t1, fail                # pages reclaimed
    li gp, 3
    la t0, pool                     # touching a given-away page: a zeroed frame
    lw t1, 0(t0)
    bnez t1, fail
    li a0, 1                        # pass
    j write_tohost
fail:
    slli a0, gp, 1
    ori a0, a0, 1
write_tohost:
    la t6, tohost
    sw a0, 0(t6)
    sw zero, 4(t6)
3:  j 3b
.data
.align 3
tohost: .word 0, 0
fromhost: .word 0, 0
.align 12
list: .zero 4096
pool: .zero 32768
'''


__all__ = ['BALLOON_EID', 'BALLOON_GUEST', 'DEFLATE', 'INFLATE', 'LiveBalloon']
