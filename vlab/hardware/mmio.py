"""MMIO exits: emulating a guest's load or store to a device it has no mapping for.

A hardware-assisted VMM leaves device pages out of the guest's G-stage table
(vlab/hardware/g_stage.py), so the guest's first touch of a device register is a
*guest-page fault* (privileged spec sec. 8.5.1, causes 21 load / 23 store) into HS-mode.
The VMM then does what KVM does on an EPT violation in an MMIO region (its
``KVM_EXIT_MMIO`` path): it finds the trapping instruction, decodes it, performs the
access on the device model and writes the result into the guest's register, then resumes
the guest after the instruction.

Where the pieces come from:

* the **guest-physical address**: ``htval`` (here ``ctx.guest_physical_address``,
  vlab/isa/machine.py), the address the G-stage could not translate;
* the **instruction**: ``htinst`` would give a transformed copy, but our machine leaves it
  zero (sec. 8.6.3 allows that), so the VMM reads the instruction at the guest's pc as the
  guest fetches it (HLVX would do the same, vlab/isa/spec/rv32h.py);
* the **device**: the platform's, on the bus (one VM per machine: the VMM emulates each
  access on the one device model, it does not copy the device per guest).

``DEVICE_ACCESSES`` is the decoding table: load/store name -> (bytes, is a store, sign
extend).  Anything else that faults on a device (an AMO, an instruction fetch) is not
emulated: the VMM reflects the access fault the bare machine would raise.
"""
from __future__ import annotations

from typing import NamedTuple

from vlab.host.memory import AccessFault
from vlab.isa.decoder import decode

MASK32 = 0xFFFFFFFF
DEVICE_ACCESSES = {
    'lb': (1, False, True), 'lbu': (1, False, False),
    'lh': (2, False, True), 'lhu': (2, False, False),
    'lw': (4, False, False),
    'sb': (1, True, False), 'sh': (2, True, False), 'sw': (4, True, False),
}


class DeviceAccess(NamedTuple):
    """One decoded MMIO access: what the guest's instruction does to the device."""

    name: str          # the instruction (lw, sb, ...)
    size: int
    store: bool
    signed: bool
    reg: int           # rd of a load, rs2 of a store


def decode_access(word: int) -> DeviceAccess | None:
    """The device access instruction ``word`` makes, or None (not a plain load/store)."""
    decoded = decode(word)
    if decoded is None or decoded.spec.name not in DEVICE_ACCESSES:
        return None
    size, store, signed = DEVICE_ACCESSES[decoded.spec.name]
    fields = decoded.fields
    return DeviceAccess(decoded.spec.name, size, store, signed,
                        fields['rs2'] if store else fields['rd'])


def emulate_access(bus, ctx, access: DeviceAccess, gpa: int) -> bool:
    """Do ``access`` at guest-physical ``gpa`` on the device model behind ``bus``, with the
    trapping guest's registers (``ctx``); False when no device answers there."""
    try:
        if access.store:
            mask = (1 << 8 * access.size) - 1
            bus.store(gpa, access.size, ctx.reg(access.reg) & mask)
        else:
            value = bus.load(gpa, access.size)
            if access.signed and value >> (8 * access.size - 1) & 1:
                value -= 1 << 8 * access.size
            ctx.set_reg(access.reg, value & MASK32)
    except AccessFault:
        return False
    return True


__all__ = ['DEVICE_ACCESSES', 'DeviceAccess', 'decode_access', 'emulate_access']
