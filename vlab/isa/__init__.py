"""Level 1, instruction set architecture: emulate one ISA on another.

RV32IMA + Zicsr + Zifencei with the privileged architecture, written once as a
table from which the decoder, assembler, disassembler, interpreter and dynamic
binary translator are derived (Hwang et al. 2011, sec. 3.1.2.1).
"""
