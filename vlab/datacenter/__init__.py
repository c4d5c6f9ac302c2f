"""Data-center growth, consolidation and cost models (Hwang et al. 2011, sec. 3.1.3).

Empty: no model exists yet. The package only reserves its place in the layering
(tests/test_layering.py); chapter 11, which will build it, is not written yet.
"""
