"""Level 3, operating system: the modeled host kernel (Hwang et al. 2011, sec. 3.1.2.3).

The kernel is Python standing in for the most privileged software: the user programs it
runs are real RV32 ELF executables on the modeled machine, and their ``ecall``s trap to it.
It speaks Linux's system call ABI, so programs built for Linux (static, musl) run; many
processes share the machine, preempted by the timer, each in its own address space and
namespaces.  The package reads like xv6's kernel/ directory, one file per subsystem:

========================  ================================================================
``kernel.py``             the kernel: process table, life and death, sleep/wake, signals
``proc.py``               a process: context, address space, files, creds, namespaces
``sched.py``              the scheduler: CFS-style weighted fair share, cgroup cpu hooks
``trap.py``               the kernel on a Machine: traps, context switch, timer, idle (WFI)
``namespaces.py``         PID (nested), UTS, IPC, user (uid maps), net, mount namespaces
``syscall.py``            the system call table (Linux numbers) joined from ``sys*.py``
``sysproc.py``            exit, waitid, pids, brk, groups, prctl, prlimit64, getrandom...
``sysfork.py``            clone (fork, vfork, CLONE_NEW*) and execve
``syssig.py``             kill, tkill, tgkill, rt_sigaction, rt_sigprocmask, rt_sigreturn
``sigframe.py``           signal delivery: default actions, the handler's stack frame
``signal.py``             signal numbers, default actions, which signal a trap raises
``systime.py``            clock_gettime64, clock_nanosleep_time64, nanosleep, times, yield
``sysns.py``              uname, sethostname, uid/gid calls, unshare, setns
``sysfile.py``            file calls (the VFS: ``vfs/``, ``file.py``, ``pipe.py``)
``sysmm.py``              memory calls (``frames.py``, ``aspace.py``, ``vma.py``)
``abi.py``                the RISC-V ABI: a7 = number, a0..a5 = arguments, a0 = result
``exec.py``               load an ELF: segments, heap, the initial stack (argv, auxv)
``vm.py``                 the simple spaces: flat (paging off) or a bump-allocated Sv32
``waitq.py``              wait queues, block-and-restart
``clock.py``              deterministic time from the instruction count
``errno.py``              Linux errno numbers
``boot.py``               boot a program: bare-metal, or a user process under the kernel
``unicorn_backend.py``    the same kernel under unicorn (lockstep tests, benchmarks)
``cgroup/``               cgroups v2 (cpu, memory, pids, io) and the cgroupfs
``fs/``                   copy-on-write layered file systems (container images)
========================  ================================================================
"""

# The names below are loaded on first use (PEP 562), so that importing one light
# sub-package -- ``vlab.os.fs``, the layer store the HLL VM's host uses -- does not load
# the whole kernel (ELF loader, system call tables) into a program that never boots it.
_EXPORTS = {
    "SyscallError": "errno", "LoadError": "exec", "UserImage": "exec",
    "load_into": "exec", "load_user_program": "exec", "Kernel": "kernel",
    "Fault": "proc", "Process": "proc", "NUMBERS": "syscall", "TABLE": "syscall",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'vlab.os' has no attribute {name!r}")
    from importlib import import_module
    return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
