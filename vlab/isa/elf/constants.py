"""ELF numbers used by the reader and the writer.

From the System V ABI, "Object Files" chapter (ELF header, section header,
symbol table, program header), and the RISC-V ELF psABI (e_machine 243,
e_flags float-ABI bits).  Only the 32-bit little-endian variant is used: RV32.
"""

ELF_MAGIC = b"\x7fELF"
ELFCLASS32, ELFCLASS64 = 1, 2
ELFDATA2LSB, ELFDATA2MSB = 1, 2
EV_CURRENT = 1
ET_REL, ET_EXEC, ET_DYN = 1, 2, 3
EM_RISCV = 243

ELF_HEADER_SIZE = 52
PROGRAM_HEADER_SIZE = 32
SECTION_HEADER_SIZE = 40
SYMBOL_SIZE = 16

PT_LOAD = 1
PF_X, PF_W, PF_R = 1, 2, 4

SHT_NULL, SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_NOBITS = 0, 1, 2, 3, 8
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 1, 2, 4
SHN_UNDEF, SHN_ABS = 0, 0xFFF1

STB_LOCAL, STB_GLOBAL = 0, 1
STT_NOTYPE = 0

PAGE_SIZE = 0x1000
ET_NAMES = {0: "ET_NONE", ET_REL: "ET_REL (relocatable object)", ET_EXEC: "ET_EXEC",
            ET_DYN: "ET_DYN (shared object / PIE)", 4: "ET_CORE (core dump)"}
