"""What the chapters use: one plot style, experiment runners, widgets, self-check.

Every experiment follows one pattern: a pure model function that returns data,
a plot function that draws that data, and a widget wrapper that only wires
controls to the two.  Only this package imports ipywidgets.
"""
