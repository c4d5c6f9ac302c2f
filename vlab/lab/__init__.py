"""What the chapters use, grouped by topic (not by chapter number).

- :mod:`vlab.lab.concepts`        levels of virtualization, software stacks, VM life cycle
- :mod:`vlab.lab.interpretation`  ISA emulation by interpretation (chapter 2)
- :mod:`vlab.lab.translation`     dynamic binary translation (chapter 3)
- :mod:`vlab.lab.appvm`           the HLL VM and application sandboxing (chapter 9)

Shared by all of them: :mod:`vlab.lab.style` (one plot style), :mod:`vlab.lab.experiment`
(widgets and the experiment runner), :mod:`vlab.lab.measure` (exact bytecode counts and
the stopwatch).  Course infrastructure (notebook execution, self-check, grading) is a
separate package, :mod:`vlab.course`.

Every experiment follows one pattern: a pure model function that returns data, a plot
function that draws that data, and a widget wrapper that only wires controls to the two.
The mechanisms themselves live in the level packages (vlab.isa, vlab.application...); a
module here only drives them through their public API and their explain hooks.  Only
this package imports ipywidgets.
"""
