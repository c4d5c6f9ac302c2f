"""The hypervisor's SBI: the firmware interface a guest kernel calls with ``ecall``.

Source: RISC-V Supervisor Binary Interface Specification v2.0 (riscv-non-isa/riscv-sbi-doc):
ch. 3 (binary encoding: ``a7`` = extension ID (EID), ``a6`` = function ID (FID), arguments
in ``a0``-``a5``; the call returns ``a0`` = error code, ``a1`` = value), ch. 4 (Base),
ch. 5 (legacy extensions), ch. 6 (TIME), ch. 10 (SRST, system reset), ch. 12 (DBCN, debug
console).  A guest kernel in VS-mode that executes ``ecall`` traps to HS-mode (cause 10,
never delegable to VS, sec. 8.6.2 of the privileged spec): the VMM plays the SBI
firmware, as KVM does for Linux guests (its ``kvm_riscv_vcpu_sbi_ecall``).

``EXTENSIONS`` is the table: EID -> (name, the function serving it).  A function gets the
VMM's ``SbiHost`` (what the guest can affect: its console, its timer, its exit) and the
call's FID and arguments, and returns an ``SbiResult``:

==========================  =========  ===================================================
extension                   EID        functions
==========================  =========  ===================================================
legacy set_timer            0x00       a0/a1: the 64-bit deadline (returns nothing)
legacy console_putchar      0x01       a0: the byte
legacy shutdown             0x08       the guest's exit, status 0
Base                        0x10       spec version (2.0), implementation id/version,
                                       probe_extension, mvendorid/marchid/mimpid (0)
TIME                        'TIME'     set_timer(stime_value): the next timer interrupt;
                                       its pending bit is cleared (sec. 6.1)
SRST                        'SRST'     system_reset(type, reason): shutdown ends the VM
                                       (status 0, or 1 for reason "system failure");
                                       cold/warm reboot stop it (no reboot is modeled)
DBCN                        'DBCN'     console_write(n, lo, hi) (guest-physical buffer,
                                       at most ``DBCN_CHUNK`` bytes per call, as the spec
                                       lets an implementation write fewer),
                                       console_read (no input: 0 bytes),
                                       console_write_byte(b)
==========================  =========  ===================================================

An unknown EID or FID returns ``SBI_ERR_NOT_SUPPORTED`` (sec. 3.2), as the spec requires:
a guest probing for extensions must not be killed for it.
"""
from __future__ import annotations

from typing import NamedTuple

MASK32 = 0xFFFFFFFF
SPEC_VERSION = 2 << 24 | 0            # major 2, minor 0 (sec. 4.1)
IMPL_ID = 0x766C6162                  # 'vlab': not a registered id (those are 0-10)
IMPL_VERSION = 1
DBCN_CHUNK = 4096
SUCCESS, ERR_FAILED, ERR_NOT_SUPPORTED, ERR_INVALID_PARAM = 0, -1, -2, -3
ERR_INVALID_ADDRESS = -5
SHUTDOWN, COLD_REBOOT, WARM_REBOOT = 0, 1, 2
SYSTEM_FAILURE = 1


def _eid(name: str) -> int:
    return int.from_bytes(name.encode(), 'big')


class SbiResult(NamedTuple):
    """What a call does: return (error, value) to the guest, or end the VM (``exit`` is
    the guest's exit status, ``stop`` a reason for a VM that stops without exiting)."""

    error: int = SUCCESS
    value: int = 0
    exit: int | None = None
    stop: str | None = None
    returns: bool = True          # legacy calls (EID < 0x10) set a0 only


class SbiHost:
    """What an SBI call may touch, given by the VMM: ``putchar(byte)``,
    ``read_guest(gpa, n)`` (bytes of guest RAM, or None outside it), ``set_timer(t)``."""

    def __init__(self, putchar, read_guest, set_timer):
        self.putchar, self.read_guest, self.set_timer = putchar, read_guest, set_timer


def _legacy_set_timer(host, fid, a):
    host.set_timer(a[1] << 32 | a[0])
    return SbiResult(returns=False)


def _legacy_putchar(host, fid, a):
    host.putchar(a[0] & 0xFF)
    return SbiResult(returns=False)


def _legacy_shutdown(host, fid, a):
    return SbiResult(exit=0)


def _base(host, fid, a):
    values = {0: SPEC_VERSION, 1: IMPL_ID, 2: IMPL_VERSION, 4: 0, 5: 0, 6: 0}
    if fid == 3:                                       # probe_extension(eid)
        return SbiResult(value=1 if a[0] in EXTENSIONS else 0)
    if fid in values:
        return SbiResult(value=values[fid])
    return SbiResult(ERR_NOT_SUPPORTED)


def _time(host, fid, a):
    if fid != 0:
        return SbiResult(ERR_NOT_SUPPORTED)
    host.set_timer(a[1] << 32 | a[0])
    return SbiResult()


def _srst(host, fid, a):
    if fid != 0:
        return SbiResult(ERR_NOT_SUPPORTED)
    kind, reason = a[0], a[1]
    if kind == SHUTDOWN:
        return SbiResult(exit=1 if reason == SYSTEM_FAILURE else 0)
    if kind in (COLD_REBOOT, WARM_REBOOT):
        return SbiResult(stop=f'the guest asked for a {"cold" if kind == 1 else "warm"} '
                              'reboot (SBI SRST); rebooting a VM is not modeled')
    return SbiResult(ERR_INVALID_PARAM)


def _dbcn(host, fid, a):
    if fid == 0:                                       # console_write(n, base_lo, base_hi)
        count = min(a[0], DBCN_CHUNK)
        if a[2]:                                       # above 4 GiB: no guest RAM there
            return SbiResult(ERR_INVALID_ADDRESS)
        data = host.read_guest(a[1], count)
        if data is None:
            return SbiResult(ERR_INVALID_ADDRESS)
        for byte in data:
            host.putchar(byte)
        return SbiResult(value=count)
    if fid == 1:                                       # console_read: no input
        return SbiResult(value=0)
    if fid == 2:                                       # console_write_byte(byte)
        host.putchar(a[0] & 0xFF)
        return SbiResult()
    return SbiResult(ERR_NOT_SUPPORTED)


EXTENSIONS = {
    0x00: ('legacy set_timer', _legacy_set_timer),
    0x01: ('legacy console_putchar', _legacy_putchar),
    0x08: ('legacy shutdown', _legacy_shutdown),
    0x10: ('Base', _base),
    _eid('TIME'): ('TIME', _time),
    _eid('SRST'): ('SRST', _srst),
    _eid('DBCN'): ('DBCN', _dbcn),
}


def sbi_call(host: SbiHost, regs) -> tuple[str, SbiResult]:
    """Serve the call in the guest's registers ``regs`` (x0..x31): (the extension's name,
    the result).  The caller writes a0/a1 back (``SbiResult.returns``) or ends the VM."""
    eid, fid = regs[17], regs[16]
    args = [regs[10 + i] & MASK32 for i in range(6)]
    name, serve = EXTENSIONS.get(eid, (None, None))
    if serve is None:
        return f'unknown extension {eid:#x}', SbiResult(ERR_NOT_SUPPORTED)
    return name, serve(host, fid, args)


__all__ = ['EXTENSIONS', 'SbiHost', 'SbiResult', 'sbi_call']
