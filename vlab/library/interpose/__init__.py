"""Interposition on library calls: an ltrace-like tracer and LD_PRELOAD-style hooks.

``symbols.py``     the program's functions, from its ELF symbol table (pyelftools)
``signatures.py``  C prototypes of the libc functions the tracer can show
``session.py``     running a program with stops at function entries and returns
``tracer.py``      ltrace: every library call the program makes, its arguments, its result
``hooks.py``       hook libraries that change a call: redirect a path, fake the clock

How it works, and how it is simplified: on Linux a dynamically linked program calls
libc through its PLT, so ``LD_PRELOAD`` can put a library first in the symbol search and
``ltrace`` can plant breakpoints in PLT entries.  vlab has that mechanism too, for
programs linked against shared objects (``vlab.library.dynload``).  But programs that
use musl must be *static* executables: the pinned zig links a dynamic musl program
against a stub ``libc.so`` made from musl's symbol list (``libc.S``) and builds no
loadable one.  For those
the interposer finds each libc function's entry in the symbol table and stops the
program there, as a debugger's breakpoint does.  Only calls made from outside a traced
function are seen -- libc's calls to itself would not go through a PLT either.  The
cost charged is what the real mechanism costs: ``lib_trace_stop`` per ltrace stop (a
ptrace trap and two context switches), ``lib_hook_call`` per call through a hook.
"""
