"""Level 3, operating system: the modeled host kernel and containers.

(Hwang et al. 2011, sec. 3.1.2.3.)  Not built yet.
"""
