"""Hosted hypervisors: VMMs that run on the host kernel (type 2 and dual-mode).

The three VM architectures of the lecture (Smith & Nair 2005, sec. 8.1; Hwang et al.
2011, sec. 3.1.3), by where the VMM runs:

* **type 1 / native** -- the VMM runs on the bare machine (vlab/hardware/vm.py);
* **type 2 / hosted** (``type2.py``) -- the VMM is an ordinary, unprivileged process of an
  unmodified host OS: every VM exit goes guest -> host kernel -> VMM process -> host
  kernel -> guest;
* **dual-mode** (``kvm_module.py`` + ``dual.py``) -- a KVM-like split: a kernel module in
  the host kernel (``/dev/kvm``) handles CPU and memory exits itself, and a user-mode
  process (QEMU-like, a real RV32 C program on the host kernel: ``src/kvm_vmm.c``)
  handles only device I/O, through a KVM-shaped ioctl API (``kvm_api.py``).

This package sits above both ``vlab.hardware`` (the VM and its VMMs) and ``vlab.os`` (the
host kernel), which are neighbours and may not import each other (ARCHITECTURE.md).
``paths.py`` counts the world switches of each exit path, for every type; ``hvrun.py``
runs one guest under any type (``vlab vm run --type 1|2|dual``) and reports exits, exit
paths, switches and modeled time from the ledger; ``demo_guest.py`` is a small guest that
prints (HTIF or UART) and takes CPU exits.
"""
