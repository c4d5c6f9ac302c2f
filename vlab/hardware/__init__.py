"""Level 2, hardware abstraction: hypervisors that virtualize CPU, memory and I/O.

(Hwang et al. 2011, sec. 3.1.2.2 and 3.2-3.3.)  Built so far: a type-1 (native)
trap-and-emulate VMM for bare-metal RV32 guests.

``vm.py``            a virtual machine: guest ELF, vCPU, guest memory, devices, VMM; run, stats
``vcpu.py``          the virtual CPU: virtual privilege and a full set of virtual CSRs
``guest_memory.py``  the guest-physical map onto host RAM; the VMM's memory beside it
``trap_emulate.py``  the VMM: every trap of the guest, by cause (emulate, reflect, fill)
``privileged.py``    one emulator per privileged instruction (CSRs, xRET, WFI, SFENCE.VMA)
``shadow.py``        shadow page tables: guest Sv32 tables composed with the guest map

Not built yet (issue 10): binary translation, paravirtualization, the H-extension VMM,
hosted (type 2) and dual-mode VMMs.
"""
