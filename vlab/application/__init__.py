"""Level 5, application: high-level-language VMs and application sandboxing.

(Hwang et al. 2011, sec. 3.1.2.5.)
"""
