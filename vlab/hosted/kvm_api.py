"""The KVM-shaped API between the dual-mode kernel module and its user-mode VMM.

The names and numbers are Linux's (``include/uapi/linux/kvm.h``); an ioctl number is
``dir << 30 | size << 16 | type << 8 | nr`` with type 0xAE (``asm-generic/ioctl.h``).

========================================  =========================================
kvm.h                                     here
========================================  =========================================
``KVM_CREATE_VM``  ``_IO(0xAE, 0x01)``    same: returns a VM descriptor
``KVM_CREATE_VCPU`` ``_IO(0xAE, 0x41)``   same: returns a vCPU descriptor (one vCPU)
``KVM_SET_USER_MEMORY_REGION``            same struct (32 bytes); the region's bytes
``_IOW(0xAE, 0x46, 32)``                  are *copied* into guest RAM at the call
                                          (Linux maps the process's pages instead)
``KVM_RUN`` ``_IO(0xAE, 0x80)``           ``arg`` points to a ``struct vlab_kvm_run``
                                          that the module fills (Linux: a page the
                                          VMM ``mmap``\\s from the vCPU descriptor)
``KVM_GET_REGS``/``KVM_SET_REGS``         ``struct kvm_regs`` = pc, x1..x31 (RV32);
                                          Linux/RISC-V uses ``KVM_GET_ONE_REG`` instead
``KVM_GET_DIRTY_LOG`` ``_IOW(.., 0x42)``  same: a bitmap of the pages written since
                                          the last call (flag KVM_MEM_LOG_DIRTY_PAGES)
``KVM_VLAB_SET_HTIF`` ``_IOW(.., 0xF0)``  vlab's own: the guest-physical address of
                                          the HTIF mailbox (tohost, fromhost), whose
                                          commands exit to user space
========================================  =========================================

Exit reasons (``kvm_run.exit_reason``) use kvm.h's values: IO, HLT, MMIO, SHUTDOWN,
INTERNAL_ERROR, RISCV_SBI, RISCV_CSR.  This module returns IO (an HTIF console byte), MMIO
(a byte written to the UART's transmit register), HLT, SHUTDOWN and INTERNAL_ERROR; SBI
calls and CSR accesses are handled inside the kernel (as Linux's KVM handles most SBI
extensions itself), so RISCV_SBI and RISCV_CSR are named here but never reach user space.
"""
from __future__ import annotations

import struct

KVMIO = 0xAE


def _ioc(direction: int, nr: int, size: int) -> int:
    return direction << 30 | size << 16 | KVMIO << 8 | nr


IOC_NONE, IOC_WRITE, IOC_READ = 0, 1, 2

# struct layouts (little-endian RV32, as the C program sees them)
MEMORY_REGION = struct.Struct('<IIQQQ')     # slot, flags, guest_phys_addr, size, uaddr
REGS = struct.Struct('<32I')                # pc, x1..x31
DIRTY_LOG = struct.Struct('<IIQ')           # slot, padding, dirty_bitmap pointer
HTIF = struct.Struct('<QQ')                 # tohost, fromhost (0: none)
RUN = struct.Struct('<IIII16s')   # exit_reason, size, code (exit code, or the address), exits, data

KVM_CREATE_VM = _ioc(IOC_NONE, 0x01, 0)
KVM_CREATE_VCPU = _ioc(IOC_NONE, 0x41, 0)
KVM_GET_DIRTY_LOG = _ioc(IOC_WRITE, 0x42, DIRTY_LOG.size)
KVM_SET_USER_MEMORY_REGION = _ioc(IOC_WRITE, 0x46, MEMORY_REGION.size)
KVM_RUN = _ioc(IOC_NONE, 0x80, 0)
KVM_GET_REGS = _ioc(IOC_READ, 0x81, REGS.size)
KVM_SET_REGS = _ioc(IOC_WRITE, 0x82, REGS.size)
KVM_VLAB_SET_HTIF = _ioc(IOC_WRITE, 0xF0, HTIF.size)

KVM_MEM_LOG_DIRTY_PAGES = 1

KVM_EXIT_IO = 2
KVM_EXIT_HLT = 5
KVM_EXIT_MMIO = 6
KVM_EXIT_SHUTDOWN = 8
KVM_EXIT_INTERNAL_ERROR = 17
KVM_EXIT_RISCV_SBI = 35
KVM_EXIT_RISCV_CSR = 36

EXIT_NAMES = {KVM_EXIT_IO: 'KVM_EXIT_IO', KVM_EXIT_HLT: 'KVM_EXIT_HLT',
              KVM_EXIT_MMIO: 'KVM_EXIT_MMIO', KVM_EXIT_SHUTDOWN: 'KVM_EXIT_SHUTDOWN',
              KVM_EXIT_INTERNAL_ERROR: 'KVM_EXIT_INTERNAL_ERROR',
              KVM_EXIT_RISCV_SBI: 'KVM_EXIT_RISCV_SBI', KVM_EXIT_RISCV_CSR: 'KVM_EXIT_RISCV_CSR'}

IOCTL_NAMES = {KVM_CREATE_VM: 'KVM_CREATE_VM', KVM_CREATE_VCPU: 'KVM_CREATE_VCPU',
               KVM_GET_DIRTY_LOG: 'KVM_GET_DIRTY_LOG',
               KVM_SET_USER_MEMORY_REGION: 'KVM_SET_USER_MEMORY_REGION',
               KVM_RUN: 'KVM_RUN', KVM_GET_REGS: 'KVM_GET_REGS',
               KVM_SET_REGS: 'KVM_SET_REGS', KVM_VLAB_SET_HTIF: 'KVM_VLAB_SET_HTIF'}

KVM_MISC_MINOR = 232            # /dev/kvm is the misc device 10:232 on Linux
MISC_MAJOR = 10
