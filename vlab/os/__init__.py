"""Level 3, operating system: the modeled host kernel (Hwang et al. 2011, sec. 3.1.2.3).

The kernel is Python standing in for the most privileged software: the user programs it
runs are real RV32 ELF executables on the modeled machine, and their ``ecall``s trap to it.
It speaks Linux's system call ABI, so programs built for Linux run.  The package reads
like xv6's kernel/ directory, one file per subsystem:

========================  ================================================================
``kernel.py``             the kernel: process table (by pid), system call entry, ledger
``proc.py``               a process: address space, files, brk, pid, uid/gid, cwd, exit
``syscall.py``            the system call table (Linux numbers) and its dispatch
``sysfile.py``            file calls: read, write, openat, close, lseek, fstat
``sysproc.py``            process and time calls: exit, brk, getpid, clock_gettime, uname
``abi.py``                the RISC-V ABI: a7 = number, a0..a5 = arguments, a0 = result
``trap.py``               the kernel on a vlab Machine: user traps, start a user program
``signal.py``             which signal kills a process for which trap (and exit 128+n)
``exec.py``               load an ELF: segments, heap, the initial stack (argv, auxv)
``vm.py``                 address spaces: flat (paging off) or an Sv32 page table
``file.py``               file-descriptor table, stdio, sandboxed host files
``clock.py``              deterministic time from the instruction count
``errno.py``              Linux errno numbers
``boot.py``               boot a program: bare-metal, or a user process under the kernel
``unicorn_backend.py``    the same kernel under unicorn (lockstep tests, benchmarks)
``fs/``                   copy-on-write layered file systems (container images)
========================  ================================================================
"""

from .errno import SyscallError
from .exec import LoadError, UserImage, load_into, load_user_program
from .kernel import Kernel
from .proc import Fault, Process
from .syscall import NUMBERS, TABLE

__all__ = ["NUMBERS", "TABLE", "Fault", "Kernel", "LoadError", "Process", "SyscallError",
           "UserImage", "load_into", "load_user_program"]
