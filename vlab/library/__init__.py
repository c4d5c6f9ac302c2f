"""Level 4, user-level API: interposition on library calls (WINE, vCUDA).

(Hwang et al. 2011, sec. 3.1.2.4.)  Not built yet.
"""
