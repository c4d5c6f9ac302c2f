"""Level 4, the library (user-level API): virtualization by interposing on library calls.

(Hwang, Dongarra & Fox 2011, sec. 3.1.2.4; taught in chapter 8.)  One sub-package per
mechanism:

``dynload/``    a dynamic loader for RV32 ELF: shared objects, relocations, lazy PLT
                binding, ``LD_PRELOAD``
``interpose/``  an ltrace-like tracer and hooks on static musl programs (symbol table)
``foreign/``    a WINE-style Win32 subset on POSIX: PE32 RISC-V programs, import tables
``lxrun/``      an LxRun-style foreign system-call ABI (vlab-BSD) on the Linux-ABI kernel
``accel/``      vCUDA / rCUDA: a modeled accelerator, a CUDA-driver-shaped API, its
                remoting natively, from a VM channel and over the network
``programs/``   the C programs the interposer and chapter 8 run
"""
