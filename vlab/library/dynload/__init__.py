"""A dynamic loader for RV32 ELF programs and shared objects, on the host kernel.

``build.py``      shared objects and dynamically linked programs with the pinned zig
``dynobject.py``  one ELF object's dynamic view: PT_LOAD, PT_INTERP, PT_DYNAMIC (DT_NEEDED,
                  symbols, RELA and JMPREL relocations, the PLT's GOT)
``loader.py``     ld.so's job: load the program, its DT_NEEDED libraries and LD_PRELOAD
                  ones, look symbols up in that order, apply R_RISCV_RELATIVE / 32 /
                  JUMP_SLOT relocations, and set up lazy binding
``run.py``        run a linked program: the lazy resolver binds each PLT slot on its first
                  call, each binding charged ``dl_lookup`` on the ledger

(Levine, *Linkers and Loaders*, 2000, ch. 10; the System V gABI, "Dynamic Linking";
the RISC-V ELF psABI, "Dynamic Linking" and "Procedure Linkage Table".)
"""
