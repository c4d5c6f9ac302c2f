"""The kernel-module half of the dual-mode hypervisor: ``/dev/kvm`` in the host kernel.

Like Linux's KVM (virt/kvm/kvm_main.c, arch/riscv/kvm/), the module turns the host kernel
into a hypervisor: a user process opens ``/dev/kvm`` and drives VMs with ioctls
(``kvm_api.py`` lists them beside their kvm.h names)::

    /dev/kvm  --KVM_CREATE_VM-->  VM fd  --KVM_SET_USER_MEMORY_REGION, KVM_VLAB_SET_HTIF,
                                          KVM_GET_DIRTY_LOG
                                  VM fd  --KVM_CREATE_VCPU-->  vCPU fd
                                  vCPU fd --KVM_GET_REGS, KVM_SET_REGS, KVM_RUN

``KVM_RUN`` runs the guest *inside the ioctl*, in the calling process's kernel context:
the guest is a VirtualMachine with the KVM-style VMM on the H extension
(vlab/hardware/hw_vmm.py, ``cpu='hw'``), on its own modeled hart.  Every CPU and memory
exit (CSR and privileged-instruction emulation, SBI calls, G-stage faults, timer) is
handled there, in the kernel, and the guest resumes without leaving the ioctl.  Only a
device access the kernel does not emulate ends ``KVM_RUN`` and returns to the user-mode
VMM: a console byte written to the HTIF mailbox (``KVM_EXIT_IO``, the byte in the run
structure) or to the 16550 UART's transmit register (``KVM_EXIT_MMIO``, with the
register's address), the guest's exit command (``KVM_EXIT_SHUTDOWN`` with its code), a WFI nothing
can wake (``KVM_EXIT_HLT``), a guest the module must stop (``KVM_EXIT_INTERNAL_ERROR``).

How it is simplified, and why:

* the guest's hart is a second modeled machine, not the host's own hart switched into
  V-mode: the two levels (hardware and os) are separate packages, and the host kernel's
  process context is kept intact.  Its ledger counts are added to the host's ledger
  after every ``KVM_RUN``, so one ledger reports the host and the guest;
* ``KVM_SET_USER_MEMORY_REGION`` copies the region's bytes into guest RAM when the guest
  is built (at the first ``KVM_RUN``) instead of sharing the process's pages; one slot,
  at the RAM base 0x80000000;
* the run structure is written to the ioctl's argument instead of a page mapped from
  the vCPU descriptor;
* the HTIF mailbox (Spike's console and exit device) is decoded by the kernel part, and
  the UART's registers are modeled there too (the hw VMM's SBI console writes them);
  only the byte or the exit code is handed up, after the device took it.  Each console
  byte is one exit, as each ``outb`` to a port is on x86 KVM.
"""
from __future__ import annotations

from collections import Counter, deque

from vlab.hardware.vm import VirtualMachine, VmError
from vlab.host.platform import UART_BASE
from vlab.isa.elf.reader import ElfImage, Segment
from vlab.os.errno import EEXIST, EFAULT, EINVAL, ENOTTY, SyscallError
from vlab.os.vfs.openfile import OpenFile
from vlab.os.vfs.rootfs import register_device

from . import kvm_api as api

RAM_BASE = 0x8000_0000
PAGE = 4096
MIN_GUEST_RAM = 1 << 20
DEFAULT_GUEST_BUDGET = 5_000_000
PF_RWX = 7


class KvmModule:
    """The module: its VMs, the host kernel it serves and what it counted.

    ``exits_in_kernel`` counts VM exits the module handled without leaving ``KVM_RUN``
    (by the VMM's reason); ``exits_to_user`` counts ``KVM_RUN`` returns by exit reason."""

    def __init__(self, kernel, engine: str = 'interp',
                 guest_budget: int = DEFAULT_GUEST_BUDGET):
        self.kernel, self.engine, self.guest_budget = kernel, engine, guest_budget
        self.vms: list[KvmVm] = []
        self.exits_in_kernel: Counter = Counter()
        self.exits_to_user: Counter = Counter()
        self.message = ''                 # why the last HLT or INTERNAL_ERROR stopped a guest
        self.stopped_by = ''              # the guest run's status behind INTERNAL_ERROR

    def load(self) -> KvmModule:
        """``insmod``: register ``/dev/kvm`` (misc device 10:232) in the host's devfs."""
        register_device(self.kernel.root_ns.mnt, 'kvm', api.MISC_MAJOR, api.KVM_MISC_MINOR,
                        lambda flags, location: KvmSystemFile(self, flags, location))
        return self

    @property
    def process(self):
        """The process making the ioctl (the one on the host CPU)."""
        return self.kernel.current


def load_kvm_module(kernel, **options) -> KvmModule:
    """Load the module into a booted host kernel (``kernel.root_ns.mnt`` has ``/dev``)."""
    return KvmModule(kernel, **options).load()


class _KvmFile(OpenFile):
    """An anonymous descriptor of the module: only ioctls (no read, no write)."""

    IOCTLS: dict = {}

    def __init__(self, module: KvmModule, flags: int = 2, location=None):
        super().__init__(flags, location)
        self.module = module

    def ioctl(self, request, arg):
        handler = self.IOCTLS.get(request)
        if handler is None:
            raise SyscallError(ENOTTY, f'ioctl {request:#x} is not a '
                               f'{type(self).__name__} request (vlab/hosted/kvm_api.py)')
        return handler(self, arg)

    def _read_user(self, address: int, size: int) -> bytes:
        try:
            return self.module.process.space.read(address, size)
        except SyscallError:
            raise
        except Exception:                                   # an unmapped user address
            raise SyscallError(EFAULT, f'bad user address {address:#x}') from None

    def _install(self, file) -> int:
        return self.module.process.files.install(file, True)


class KvmSystemFile(_KvmFile):
    """``/dev/kvm`` itself: KVM_CREATE_VM."""

    def create_vm(self, arg):
        vm = KvmVm(self.module)
        self.module.vms.append(vm)
        return self._install(KvmVmFile(self.module, vm))

    IOCTLS = {api.KVM_CREATE_VM: create_vm}


class KvmVm:
    """One VM of the module: memory slots, the HTIF mailbox, its vCPU and, once it ran,
    the VirtualMachine."""

    def __init__(self, module: KvmModule):
        self.module = module
        self.slots: dict[int, tuple[int, bytes, int]] = {}    # slot -> (gpa, bytes, flags)
        self.htif: tuple[int, int | None] | None = None
        self.regs = [RAM_BASE] + [0] * 31                      # pc, x1..x31
        self.vcpu_created = False
        self.machine_vm: VirtualMachine | None = None
        self.pending: deque = deque()        # (exit reason, address, byte) not handed up
        self.guest_instructions = 0

    def build(self) -> VirtualMachine:
        """The guest, from the slots and the registers: a VM under the H-extension VMM."""
        if 0 not in self.slots:
            raise _Stop('no memory: call KVM_SET_USER_MEMORY_REGION for slot 0 first')
        gpa, data, flags = self.slots[0]
        size = max(MIN_GUEST_RAM, -(-len(data) // PAGE) * PAGE)
        symbols = {}
        if self.htif is not None:
            symbols['tohost'] = self.htif[0]
            if self.htif[1]:
                symbols['fromhost'] = self.htif[1]
        image = ElfImage(self.regs[0], [Segment(gpa, data, len(data), PF_RWX)], symbols)
        kernel_ledger = self.module.kernel.ledger
        costs = kernel_ledger.costs if kernel_ledger is not None else None
        try:
            vm = VirtualMachine(image, cpu='hw', engine=self.module.engine, guest_ram=size,
                                costs=costs)
        except VmError as exc:
            raise _Stop(str(exc)) from None
        vm.machine.regs[1:32] = self.regs[1:]
        if flags & api.KVM_MEM_LOG_DIRTY_PAGES:
            vm.machine.bus.watch.enable_dirty_log('slot0', gpa, size)
        if vm.machine.platform.htif is not None:
            vm.machine.platform.htif.console_listeners.append(self._console_byte)
        vm.machine.platform.uart.transmit_listeners.append(self._uart_byte)
        self.machine_vm = vm
        return vm

    def _console_byte(self, byte: int) -> None:
        """The guest wrote an HTIF console byte: KVM_EXIT_IO."""
        self._device_exit(api.KVM_EXIT_IO, self.htif[0], byte)

    def _uart_byte(self, byte: int) -> None:
        """A byte reached the 16550's transmit register (the guest's store, or the SBI
        console of the VMM): KVM_EXIT_MMIO at the register's address."""
        self._device_exit(api.KVM_EXIT_MMIO, UART_BASE, byte)

    def _device_exit(self, reason: int, address: int, byte: int) -> None:
        """Hand the byte to user space: stop the run before the next instruction."""
        self.pending.append((reason, address, byte))
        machine = self.machine_vm.machine
        machine.ledger.charge('vm_exit')         # the device write exits to the module
        machine.breakpoints.add(machine.hart.pc)

    def run(self) -> tuple[int, int, int, bytes]:
        """KVM_RUN: (exit reason, size, code, data) -- run until an exit for user space."""
        if self.pending:                           # a byte already waiting
            return self._device()
        try:
            vm = self.machine_vm or self.build()
        except _Stop as stop:
            return self._internal_error(str(stop))
        machine, module = vm.machine, self.module
        left = module.guest_budget - self.guest_instructions
        if left <= 0:
            module.stopped_by = 'budget'
            return self._internal_error(f'the guest used its budget of '
                                        f'{module.guest_budget} instructions')
        exits_before = Counter(vm.vmm.exits)
        ledger_before = dict(machine.ledger.counts)
        result = vm.run(max_instructions=left)
        machine.breakpoints.clear()
        self.guest_instructions += result.instructions
        module.exits_in_kernel.update(Counter(vm.vmm.exits) - exits_before)
        self._charge_host(ledger_before, machine.ledger.counts)
        if self.pending:
            return self._device()
        if result.status == 'exit':            # the exit command left the guest too
            if module.kernel.ledger is not None:
                module.kernel.ledger.charge('vm_exit')
            return self._exit(api.KVM_EXIT_SHUTDOWN, 0, result.exit_code or 0)
        if result.status == 'idle':
            self.module.message = result.message
            return self._exit(api.KVM_EXIT_HLT, 0, 0)
        self.module.stopped_by = result.status          # 'budget', 'fault', ...
        return self._internal_error(result.message or result.status)

    def _charge_host(self, before: dict, after) -> None:
        ledger = self.module.kernel.ledger
        if ledger is None:
            return
        for event, count in after.items():
            if count - before.get(event, 0):
                ledger.charge(event, count - before.get(event, 0))

    def _device(self):
        reason, address, byte = self.pending.popleft()
        return self._exit(reason, 1, address, bytes([byte]))

    def _internal_error(self, message: str):
        self.module.message = message
        return self._exit(api.KVM_EXIT_INTERNAL_ERROR, 0, 0)

    def _exit(self, reason: int, size: int, code: int, data: bytes = b''):
        self.module.exits_to_user[api.EXIT_NAMES[reason]] += 1
        return reason, size, code, data


class _Stop(Exception):
    """The module cannot run this guest (the message says why)."""


class KvmVmFile(_KvmFile):
    """A VM descriptor: memory, the HTIF mailbox, the dirty log, its vCPU."""

    def __init__(self, module: KvmModule, vm: KvmVm):
        super().__init__(module)
        self.vm = vm

    def set_user_memory_region(self, arg):
        slot, flags, gpa, size, uaddr = api.MEMORY_REGION.unpack(
            self._read_user(arg, api.MEMORY_REGION.size))
        if slot != 0 or gpa != RAM_BASE or not 0 < size <= 64 << 20:
            raise SyscallError(EINVAL, f'memory slot {slot} at {gpa:#x} of {size:#x} bytes: '
                               f'this module has one slot (0) at {RAM_BASE:#x}, at most '
                               '64 MiB')
        if self.vm.machine_vm is not None:
            raise SyscallError(EEXIST, 'the VM has run: its memory is fixed')
        self.vm.slots[slot] = (gpa, self._read_user(uaddr, size), flags)
        return 0

    def set_htif(self, arg):
        tohost, fromhost = api.HTIF.unpack(self._read_user(arg, api.HTIF.size))
        self.vm.htif = (tohost, fromhost or None)
        return 0

    def get_dirty_log(self, arg):
        slot, _, bitmap_address = api.DIRTY_LOG.unpack(self._read_user(arg, api.DIRTY_LOG.size))
        vm = self.vm.machine_vm
        if slot != 0 or vm is None or 'slot0' not in vm.machine.bus.watch.slots:
            raise SyscallError(EINVAL, f'slot {slot} logs no dirty pages (set '
                               'KVM_MEM_LOG_DIRTY_PAGES and run the VM first)')
        self.module.process.space.write(bitmap_address,
                                        vm.machine.bus.watch.get_dirty_log('slot0'))
        return 0

    def create_vcpu(self, arg):
        if self.vm.vcpu_created:
            raise SyscallError(EEXIST, 'this module gives a VM one vCPU')
        self.vm.vcpu_created = True
        return self._install(KvmVcpuFile(self.module, self.vm))

    IOCTLS = {api.KVM_SET_USER_MEMORY_REGION: set_user_memory_region,
              api.KVM_VLAB_SET_HTIF: set_htif, api.KVM_GET_DIRTY_LOG: get_dirty_log,
              api.KVM_CREATE_VCPU: create_vcpu}


class KvmVcpuFile(_KvmFile):
    """A vCPU descriptor: registers and KVM_RUN."""

    def __init__(self, module: KvmModule, vm: KvmVm):
        super().__init__(module)
        self.vm = vm

    def get_regs(self, arg):
        vm = self.vm.machine_vm
        regs = ([vm.machine.pc, *vm.machine.regs[1:32]] if vm is not None
                else list(self.vm.regs))
        return api.REGS.pack(*regs)

    def set_regs(self, arg):
        regs = list(api.REGS.unpack(self._read_user(arg, api.REGS.size)))
        vm = self.vm.machine_vm
        if vm is None:
            self.vm.regs = regs
        else:
            vm.machine.pc = regs[0]
            vm.machine.regs[1:32] = regs[1:]
        return 0

    def run(self, arg):
        if not arg:
            raise SyscallError(EFAULT, 'KVM_RUN needs the address of a struct vlab_kvm_run')
        reason, size, code, data = self.vm.run()
        exits = sum(self.module.exits_in_kernel.values())
        return api.RUN.pack(reason, size, code & 0xFFFF_FFFF, exits & 0xFFFF_FFFF, data)

    IOCTLS = {api.KVM_GET_REGS: get_regs, api.KVM_SET_REGS: set_regs, api.KVM_RUN: run}


__all__ = ['KvmModule', 'load_kvm_module']
