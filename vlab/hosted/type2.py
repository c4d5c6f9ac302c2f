"""Type 2 (hosted): the VMM is an unprivileged process of an unmodified host OS.

A hosted VMM without a kernel module of its own (QEMU without KVM, the first VMware
Workstation's user-level half, Sugerman et al. 2001) cannot take the guest's traps
directly: the hardware hands every trap to the host kernel, which knows nothing about
VMs and does what it does for any process's fault -- it delivers a signal-like upcall to
the VMM process (a mode switch into user mode and a context switch to that process).  The
VMM handles the exit in user mode and asks the kernel, with an ordinary system call
(sigreturn-like), to resume the guest.  So every exit costs, on top of type 1's::

    guest -> host kernel -> VMM process -> host kernel -> guest

charged per exit as one ``syscall`` (its two mode switches: the upcall's return to user
mode and the VMM's reply system call, Adams & Agesen 2006's null system call) and one
``context_switch`` (Li, Ding & Shen 2007), rows of vlab/host/costs.py.

How it is simplified: the VMM's code is the type-1 VMM's (``cpu`` chooses which one,
vlab/hardware/vm.py), called through a relay that stands for the host kernel's
upcall path.  The relay sits where the VMM's trap handler was on the machine's trap
router, so it sees every exit, one by one, as the host kernel would; the host kernel
itself (vlab.os) is not involved, since only its path's cost matters here.  Device I/O
is the VMM process's too: each console byte the guest writes to the HTIF mailbox or the
UART is one
more upcall (under type 1 the mailbox is passed through and costs no exit), and so is
the guest's exit command (``exit_upcall``, called when the run ends with it).
"""
from __future__ import annotations

from collections import Counter

from vlab.hardware.vm import VirtualMachine
from vlab.isa.privilege import PRIV_NAMES

UPCALL_EVENTS = ('syscall', 'context_switch')      # charged per exit (module docstring)


class HostKernelRelay:
    """Stands between the hardware trap and the VMM: each exit is an upcall."""

    def __init__(self, vm: VirtualMachine):
        self.vm, self.upcalls, self.device_upcalls = vm, 0, 0
        machine = vm.machine
        vmm = vm.vmm
        registrations = getattr(vmm, 'registrations', None) or [vmm.registration]
        self.registrations = []      # below any other handler (bt callouts stay first)
        for old in registrations:
            machine.traps.unregister(old)
            self.registrations.append(machine.traps.register(
                PRIV_NAMES[old.level], self._relay(old.handler), causes='all',
                charge_as=old.charge_as, priority=old.priority - 1,
                name=f'host kernel upcall -> {old.name}'))
        htif = machine.platform.htif
        if htif is not None:                   # the VMM process models the console too
            htif.console_listeners.append(self._device_upcall)
        machine.platform.uart.transmit_listeners.append(self._device_upcall)

    def exit_upcall(self) -> None:
        """The guest's exit command: the VMM process learns of it by one last upcall."""
        self._device_upcall(0)

    def _device_upcall(self, byte: int) -> None:
        """A console byte: the VMM process's device model is reached by an upcall too."""
        self.device_upcalls += 1
        for event in ('vm_exit', *UPCALL_EVENTS):   # the mailbox write traps, then upcall
            self.vm.machine.ledger.charge(event)

    def _relay(self, handler):
        ledger = self.vm.machine.ledger

        def upcall(ctx):
            self.upcalls += 1
            for event in UPCALL_EVENTS:
                ledger.charge(event)
            return handler(ctx)
        return upcall


def hosted_vm(guest, cpu: str = 'trap-emulate',
              **options) -> tuple[VirtualMachine, HostKernelRelay]:
    """A VM whose VMM runs as a host process: (the VM, the relay counting upcalls)."""
    vm = VirtualMachine(guest, cpu=cpu, **options)
    return vm, HostKernelRelay(vm)


def exit_kinds(relay: HostKernelRelay) -> Counter:
    """Type 2 has one exit path: every exit is an upcall."""
    return Counter({'any': relay.upcalls + relay.device_upcalls})
