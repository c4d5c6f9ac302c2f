"""Why a measured score differs from the lecture's: one explanation per cell.

Each explanation says which it is: a **simplification of our model** (what vlab leaves
out), a **boundary** choice of the suite (what is counted where), or the **book's
judgement** (a rating our measurements do not bear out, or one that has aged since
2011).  :func:`explain` returns the explanation for a differing cell; a cell with none
written says so instead of staying silent.
"""

from __future__ import annotations

from vlab.lab.merits.scores import differences

WHY: dict[tuple[str, str], str] = {
    ("isa", "performance"):
        "model simplification: vlab has one ISA, so the 'foreign' program is RV32 run by "
        "the machine's own engines at FX!32's per-instruction prices; system calls, page "
        "faults and forks are served by a kernel modeled natively (as QEMU's user mode "
        "does), so kernel-heavy workloads hide the emulation. On pure compute the "
        "interpreter costs 23x and the translator 2.7x: the book's 1 is about emulating "
        "a whole foreign machine, ours about one user program.",
    ("isa", "application flexibility"):
        "model simplification: the lecture's 5 assumes an emulator for every foreign ISA; "
        "vlab emulates RV32 only, so the x86-64 program of the corpus fails. The level's "
        "promise is real; our build of it covers one ISA.",
    ("isa", "implementation complexity"):
        "boundary: vlab/isa is the whole machine (instruction tables, interpreter, "
        "translator, MMU, trap router, hypervisor extension) that every other level runs "
        "on; an emulator alone would be smaller.",
    ("hardware", "performance"):
        "model simplification and the book's judgement: with the teaching guest kernel, "
        "compute and system calls run at or near native speed (the guest kernel serves "
        "its own system calls without an exit under hardware assist), but each access of "
        "the guest's UART is an MMIO exit (over a hundred times native on console writes, "
        "far less with the paravirtual console) and the guest kernel's paging costs "
        "several times native; bare-metal guests "
        "whose kernel work is emulated pay 47x per guest system call, 211x under a hosted "
        "type 2 VMM. The book's 5 reflects mature hardware assist with paravirtual "
        "devices, where exits are rare.",
    ("hardware", "application flexibility"):
        "model simplification: the VM runs bare-metal programs and, on the teaching guest "
        "kernel, Linux programs; the book's 3 also credits other guest operating systems "
        "(other ABIs), and vlab has one guest kernel, for one ABI.",
    ("hardware", "implementation complexity"):
        "boundary: the hypervisor extension, two-stage translation and virtual CSRs are "
        "machine features counted in vlab/isa, and the guest kernel's C code is not "
        "Python the metric reads; the VMMs on top are small. Real VMMs spend most of "
        "their code on device models and management, which vlab keeps minimal.",
    ("hardware", "application isolation"):
        "battery limitation: every attack a bare-metal guest could express was contained, "
        "DMA into the VMM's memory included (the IOMMU refused it); the book's 4 leaves "
        "room for VMM bugs and cache side channels, which vlab cannot stage.",
    ("os", "application flexibility"):
        "boundary: our corpus has no 'other distribution of the same OS' kind, the one "
        "thing containers add; every other kind needs a different kernel or ISA.",
    ("os", "implementation complexity"):
        "boundary: vlab/os is a whole kernel (system calls, VFS, namespaces, cgroups, "
        "images). The book rates the container mechanism added to an existing kernel; "
        "we count the kernel, which no other level's score includes.",
    ("os", "application isolation"):
        "battery limitation: pids.max, memory.max, PID and mount namespaces contained what "
        "we tried, and the CPU hog escaped; the classic weakness, one kernel bug reaching "
        "every container, cannot be staged without a kernel bug, so our score overrates "
        "containers.",
    ("library", "performance"):
        "a translated vlab-BSD call pays the native trap and Linux call plus a 100-cycle "
        "translation (lib_abi_translate, illustrative), about 1.27x native, priced as "
        "WSL 1 built the layer, inside the kernel (LxRun, a user program, paid a signal "
        "and a second trap more); accelerator remoting costs 5x through a VM and 33x "
        "over the network.",
    ("library", "application flexibility"):
        "the suite gives the library level three kinds (Linux programs under "
        "interposition, vlab-BSD and Win32 programs): its flexibility is exactly the APIs "
        "someone wrote a layer for.",
    ("library", "implementation complexity"):
        "model simplification: 13 Win32 functions and 7 BSD calls; WINE implements "
        "thousands of functions, which is why the book rates the level costly.",
    ("application", "performance"):
        "the thresholds: the JIT brings the HLL loop to 7.9x of native (the interpreter "
        "80x), inside the 5-20x band.",
    ("application", "application flexibility"):
        "the corpus: the HLL VM runs bytecode only; the book credits any program written "
        "for the VM, which is one kind of our six.",
    ("application", "implementation complexity"):
        "boundary: compiler, verifier, GC, JIT and sandbox are counted, but real JVMs are "
        "far larger; on our log scale the OS kernel, not the HLL VM, is the most complex.",
    ("application", "application isolation"):
        "evidence cap: two attacks could be expressed in the HLL language (files, "
        "memory), both contained; with no fork, signals or neighbours in the language, "
        "the rule allows at most 3.",
}


def explain(level: str, criterion: str) -> str:
    return WHY.get((level, criterion), "no explanation written for this difference yet")


def differences_text(ours: dict) -> str:
    """Every cell where the measured score differs from the lecture's, with why."""
    lines = []
    for level, criterion, book, measured in differences(ours):
        shown = "-" if measured is None else measured
        lines.append(f"{level} / {criterion}: book {book}, measured {shown}\n"
                     f"    {explain(level, criterion)}")
    return "\n".join(lines) if lines else "Every cell agrees with the lecture."
