"""A foreign API (WINE-style): Win32-flavoured programs in PE format on the host kernel.

``include/windows.h``  the API subset a program may call, real names and signatures
``pe_build.py``        C -> PE32 for IMAGE_FILE_MACHINE_RISCV32 (zig, then a PE writer)
``pe_loader.py``       reads the PE with pefile, maps sections, binds the import table
``kernel32.py``        the translation library: each Win32 function on POSIX calls
``run.py``             runs a program, logging each Win32 call beside its POSIX calls

WINE ("Wine Is Not an Emulator") runs Windows programs on UNIX by loading their PE files
itself and providing the Windows DLLs as libraries over POSIX; Sun's WABI did the same
for Windows 3.1 programs on Solaris (Hwang et al. 2011, sec. 3.1.2.4).
"""
