"""Dynamic binary translation (Hwang, Dongarra & Fox 2011, sec. 3.1.2.1).

:mod:`.programs` (guest programs, either engine), :mod:`.hot_paths` (the control-flow
graph with a trace drawn on it; the graph itself is :mod:`vlab.isa.cfg`),
:mod:`.cache_use` (translation-cache hits and misses, size limits), :mod:`.break_even`
(when translating pays), :mod:`.exactness` (self-modifying code, precise traps),
:mod:`.experiments` (listings, expansion, the widgets).
"""
