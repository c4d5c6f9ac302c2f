"""Inline memory access in translated code: the DBT's view of the one fast path.

A guest load or store in translated code must not pay for a function call when it hits
plain RAM, so the translator pastes the fast path into the generated code and calls the
interpreter's memory port (vlab/isa/mmu.py ``make_port``) only when the fast path cannot
be taken -- exactly the cases the port itself sends to its slow path, so both engines
count the same events.  Ports, predecoded handlers and regions are all generated from one
description, vlab/isa/fastpath.py; this module names the DBT's part of it:

``inline_load(call, paged, reuse, rebased)``   a load as one conditional expression
``inline_store(call, paged, exact, reuse, rebased, checked)``   a store as an if/else
``ram_masks(size)``                            the RAMMASKn and POISON constants

and the DBT's options (the RAMMASK single test, rebased registers, ``_o`` reuse and
POISON) are documented there.  Example, the load of ``lw a0, 8(t0)`` in Bare mode::

    (((_o := POISON) and _load_4u(x5 + 8)) if (_o := x5 - (BASE - 8)) & RAMMASK4
     else W[_o >> 2])
"""
from __future__ import annotations

from vlab.isa.fastpath import inline_load, inline_store, ram_masks

__all__ = ['inline_load', 'inline_store', 'ram_masks']
