"""ISA emulation by interpretation (Hwang, Dongarra & Fox 2011, sec. 3.1.2.1).

:mod:`.programs` (guest programs and the monitor that ends them), :mod:`.stepping`
(step a program), :mod:`.cost` (host work per guest instruction, the ledger of a run),
:mod:`.trap_cases` (what a trap writes), :mod:`.formats` (the RV32 instruction formats),
:mod:`.routine` (a student's routine on the machine), :mod:`.experiments` (the widgets).
"""
