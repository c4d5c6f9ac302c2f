"""Level 4, user-level API: interposition on library calls (WINE, vCUDA).

(Hwang et al. 2011, sec. 3.1.2.4.)  Empty: no model of this level exists yet. The
package only reserves the level's place in the layering (tests/test_layering.py);
chapter 8, which will build it, is not written yet.
"""
