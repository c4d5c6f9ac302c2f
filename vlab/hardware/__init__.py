"""Level 2, hardware abstraction: hypervisors that virtualize CPU, memory and I/O.

(Hwang et al. 2011, sec. 3.1.2.2.)  Not built yet.
"""
