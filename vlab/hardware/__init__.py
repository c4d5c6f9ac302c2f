"""Level 2, hardware abstraction: hypervisors that virtualize CPU, memory and I/O.

(Hwang et al. 2011, sec. 3.1.2.2 and 3.2-3.3.)  Built so far: two type-1 (native) VMMs
for bare-metal RV32 guests: trap-and-emulate, and a KVM-style VMM on the hypervisor
extension (``hw``).

``vm.py``            a virtual machine: guest ELF, vCPU, guest memory, devices, VMM; run, stats
``vcpu.py``          the virtual CPU: virtual privilege and a full set of virtual CSRs
``guest_memory.py``  the guest-physical map onto host RAM; the VMM's memory beside it
``trap_emulate.py``  the VMM: every trap of the guest, by cause (emulate, reflect, fill)
``privileged.py``    one emulator per privileged instruction (CSRs, xRET, WFI, SFENCE.VMA)
``shadow.py``        shadow page tables: guest Sv32 tables composed with the guest map
``hw_vmm.py``        the hw VMM: guest S natively in VS-mode, guest M emulated in VU, exits
``g_stage.py``       the G-stage (Sv32x4) table of a hw VM: guest RAM only, with a VMID
``mmio.py``          MMIO exits: decode the trapping load/store, do it on the device
``mprv.py``          guest M-mode's MPRV under hw: software-translated loads and stores
``sbi.py``           the hypervisor's SBI v2.0 for S-mode guests (Base, TIME, DBCN, SRST)

Not built yet (issue 10): binary translation, paravirtualization, hosted (type 2) and
dual-mode VMMs.
"""
