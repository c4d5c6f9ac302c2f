"""A foreign system-call ABI (LxRun-style): programs for another kernel's ABI run on
vlab's Linux-ABI kernel through a translation layer.

``programs/bsd_abi.h``  the "vlab-BSD" ABI, defined and documented there (FreeBSD's
                        numbers, flags, errno values and error convention)
``translate.py``        the translation table: each foreign call -> Linux calls, flags,
                        errors and structures converted
``run.py``              load a foreign program and serve its calls through the table

LxRun ran Linux binaries on SCO UNIX and Solaris x86 as a user-level program: it loaded
the Linux executable, caught the trap each Linux system call caused, and made the
equivalent native call (Hwang et al. 2011, sec. 3.1.2.4).  WSL 1 did the same inside
the Windows kernel ("pico processes").
"""
