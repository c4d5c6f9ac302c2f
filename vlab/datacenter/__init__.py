"""Data-center growth, consolidation and cost models (Hwang et al. 2011, sec. 3.1.3).

Not built yet.
"""
