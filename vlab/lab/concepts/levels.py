"""The course's map of virtualization, as data: levels, technologies, VM types, operations.

Everything here is quoted from the source lecture (after Hwang, Dongarra & Fox,
*Distributed and Cloud Computing*, Morgan Kaufmann, 2011):

- the five implementation levels and their example technologies (sec. 3.1.1, Fig. 3.2);
- what the virtualization layer at each level interposes on: the interface it
  intercepts and re-implements (sec. 3.1.1);
- the traditional machine and the three VM types, native (bare-metal), hosted
  and dual-mode, as layer stacks with the privilege mode of each box
  (sec. 1.2.3, Fig. 1.12);
- the four VM operations: multiplexing, suspension, provision (resume) and live
  migration (sec. 1.2.3, Fig. 1.13);
- the relative merits of the five levels, rated 1 to 5 (sec. 3.1.1, Table 3.1).

Levels are keyed like the sub-packages of :mod:`vlab` that model them
(``"isa"``, ``"hardware"``, ``"os"``, ``"library"``, ``"application"``).
Nothing here draws; :mod:`vlab.lab.concepts.stacks` draws these stacks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

# --- the five levels --------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """One implementation level of virtualization (Hwang et al. 2011, sec. 3.1.1)."""

    key: str            # the vlab sub-package that models it
    number: int         # 1 = lowest (ISA) ... 5 = highest (application)
    name: str           # English name used in the book
    lecture_name: str   # the lecture's (Portuguese) name, for recognition
    interface: str      # the interface the virtualization layer intercepts
    layer: str          # what the virtualization layer is at this level
    presents: str       # what the layer offers to the software above it
    chapters: tuple[int, ...]  # the book's chapters that model this level


LEVELS: tuple[Level, ...] = (
    Level("isa", 1, "Instruction set architecture (ISA)",
          "Nível de arquitetura do conjunto de instruções (ISA)",
          interface="guest machine instructions (the ISA)",
          layer="ISA emulator: interpreter or dynamic binary translator",
          presents="a virtual ISA, e.g. MIPS binaries on an x86 host",
          chapters=(2, 3)),
    Level("hardware", 2, "Hardware abstraction layer",
          "Nível de camada de abstração do hardware",
          interface="privileged instructions, memory management and I/O devices",
          layer="hypervisor / virtual machine monitor (VMM)",
          presents="virtual hardware (CPU, memory, I/O) for each guest OS",
          chapters=(4, 5, 6)),
    Level("os", 3, "Operating system",
          "Nível de sistema operativo",
          interface="the system-call interface of the shared kernel",
          layer="kernel isolation: namespaces and cgroups (containers)",
          presents="isolated containers that behave like real servers",
          chapters=(7,)),
    Level("library", 4, "Library (user-level API)",
          "Nível de biblioteca (user-level API)",
          interface="library calls of the user-level API (API hooks)",
          layer="API translation or remoting layer",
          presents="a foreign API, e.g. Win32 on UNIX, CUDA inside a VM",
          chapters=(8,)),
    Level("application", 5, "Application",
          "Nível de aplicação",
          interface="the instructions of an abstract machine (bytecode)",
          layer="high-level-language (HLL) VM or application sandbox",
          presents="a process-level VM that runs programs compiled for it",
          chapters=(9,)),
)

LEVEL_KEYS: tuple[str, ...] = tuple(level.key for level in LEVELS)

#: The chapters the book has today (book/chapters/NN-*.ipynb; tests/book checks the list).
#: The roadmap plans eleven; one not written yet is named as coming, never as a place to go.
WRITTEN_CHAPTERS: tuple[int, ...] = tuple(range(1, 12))


def chapter_list(chapters: tuple[int, ...]) -> str:
    """The chapters as text, ``"4 (coming), 5 (coming)"`` for those not written yet."""
    return ", ".join(str(n) if n in WRITTEN_CHAPTERS else f"{n} (coming)" for n in chapters)
_LEVEL_BY_KEY = {level.key: level for level in LEVELS}


def level(key: str) -> Level:
    """The level with this key (``"isa"``, ``"hardware"``, ``"os"``, ...)."""
    try:
        return _LEVEL_BY_KEY[key]
    except KeyError:
        raise ValueError(f"unknown level {key!r}; choose one of {list(LEVEL_KEYS)}") from None


# --- example technologies (Fig. 3.2 of Hwang et al. 2011, as in the lecture) ------------


@dataclass(frozen=True)
class Technology:
    """A real system the lecture names as an example of one level."""

    name: str
    level: str       # key of its level
    what: str        # what it is
    mechanism: str   # how it virtualizes, in one phrase


TECHNOLOGIES: tuple[Technology, ...] = (
    Technology("JVM", "application", "Java Virtual Machine: runs Java bytecode on any host",
               "verifies class files, interprets and JIT-compiles bytecode, collects garbage"),
    Technology(".NET CLR", "application",
               "Microsoft .NET Common Language Runtime: runs CIL bytecode",
               "verifies and JIT-compiles CIL, manages memory"),
    Technology("vCUDA", "library", "lets applications inside VMs use the host's GPU",
               "intercepts CUDA API calls in the guest and forwards them to the host"),
    Technology("WINE", "library", "runs Windows applications on UNIX hosts",
               "re-implements the Win32 API on top of UNIX and X11 calls"),
    Technology("WABI", "library", "Sun's Windows Application Binary Interface for Solaris",
               "translated Windows 3.x API calls into X Window and Solaris calls"),
    Technology("LxRun", "library", "runs Linux binaries on other x86 UNIX systems",
               "catches a Linux program's calls and remaps them to the host UNIX"),
    Technology("Docker", "os", "packages applications as images and runs them as containers",
               "namespaces and cgroups of the one shared Linux kernel"),
    Technology("LXC", "os", "Linux Containers: whole systems in containers on one kernel",
               "namespaces and cgroups of the one shared Linux kernel"),
    Technology("Hyper-V", "hardware", "Microsoft's bare-metal hypervisor",
               "runs below a root partition and guest partitions, with hardware assist"),
    Technology("Xen", "hardware", "open-source bare-metal hypervisor",
               "paravirtualization: modified guest kernels make hypercalls"),
    Technology("KVM/QEMU", "hardware", "Linux kernel module that makes Linux a hypervisor",
               "hardware-assisted CPU virtualization, QEMU emulates the devices"),
    Technology("VMware", "hardware", "VMware Workstation (hosted) and ESX (bare-metal)",
               "binary translation of privileged guest code, later hardware assist"),
    Technology("Bochs", "isa", "portable x86 PC emulator",
               "interprets every x86 instruction in software"),
    Technology("Crusoe", "isa", "Transmeta's VLIW processor that runs x86 programs",
               "Code Morphing software translates x86 to its own VLIW ISA"),
    Technology("QEMU", "isa", "machine emulator for many ISAs (ARM, MIPS, RISC-V, x86...)",
               "dynamic binary translation of guest basic blocks"),
    Technology("BIRD", "isa", "Binary Interpretation using Runtime Disassembly",
               "disassembles and instruments x86 binaries while they run"),
    Technology("Dynamo", "isa", "HP Labs' dynamic optimizer",
               "interprets, finds hot traces and runs optimized translations of them"),
)

_TECHNOLOGY_BY_NAME = {tech.name: tech for tech in TECHNOLOGIES}


def technology(name: str) -> Technology:
    """The example technology with this name, spelled as in the lecture (``"KVM/QEMU"``)."""
    try:
        return _TECHNOLOGY_BY_NAME[name]
    except KeyError:
        names = ", ".join(tech.name for tech in TECHNOLOGIES)
        raise ValueError(f"unknown technology {name!r}; choose one of: {names}") from None


def technologies_at(level_key: str) -> tuple[str, ...]:
    """Names of the lecture's examples for one level, in the lecture's order."""
    level(level_key)  # validates the key
    return tuple(tech.name for tech in TECHNOLOGIES if tech.level == level_key)


# --- layer stacks -----------------------------------------------------------------------

PRIVILEGED = "privileged"   # supervisor / kernel mode of the physical CPU
USER = "user"               # unprivileged (user) mode of the physical CPU
MACHINE = "machine"         # the hardware itself, not software


@dataclass(frozen=True)
class Box:
    """One box of a layer-stack diagram, placed in its row from ``x`` to ``x + width``.

    ``role`` picks its color (a key of :data:`vlab.lab.style.ROLE_COLORS`, or
    ``"vmm"``/``"virt"`` for a virtualization layer); ``mode`` is the physical
    CPU mode the software in the box runs in.
    """

    label: str
    role: str
    mode: str
    x: float = 0.0
    width: float = 1.0


@dataclass(frozen=True)
class Stack:
    """A system drawn as rows of boxes, bottom row first.

    ``virt_row`` is the row of the virtualization layer (or ``None``); the
    interface it intercepts is the boundary on top of that row.
    """

    key: str
    title: str
    rows: tuple[tuple[Box, ...], ...]
    summary: str
    virt_row: int | None = None
    interface: str = ""

    def boxes(self) -> tuple[Box, ...]:
        """All boxes, bottom row first, left to right."""
        return tuple(box for row in self.rows for box in row)


def privileged_software(stack: Stack) -> tuple[str, ...]:
    """Labels of the boxes whose software runs in the CPU's privileged mode."""
    return tuple(box.label for box in stack.boxes() if box.mode == PRIVILEGED)


_HW = (Box("Hardware", "hardware", MACHINE),)

#: The traditional machine and the three VM types (Hwang et al. 2011, Fig. 1.12).
VM_TYPES: dict[str, Stack] = {
    "traditional": Stack(
        "traditional", "Traditional machine",
        (_HW, (Box("Host OS", "host_os", PRIVILEGED),), (Box("Applications", "app", USER),)),
        "One OS image owns the hardware and runs in privileged mode; "
        "applications are tied to that OS and to the hardware's ISA."),
    "native": Stack(
        "native", "Native (bare-metal) VM",
        (_HW,
         (Box("Hypervisor (VMM)", "vmm", PRIVILEGED),),
         (Box("Guest OS", "guest_os", USER, 0.0, 0.5), Box("Guest OS", "guest_os", USER, 0.5, 0.5)),
         (Box("Guest apps", "app", USER, 0.0, 0.5), Box("Guest apps", "app", USER, 0.5, 0.5))),
        "The hypervisor is installed on the bare hardware and runs in privileged mode; "
        "the guest OSes above it run deprivileged.", virt_row=1),
    "hosted": Stack(
        "hosted", "Hosted VM",
        (_HW,
         (Box("Host OS (unmodified)", "host_os", PRIVILEGED),),
         (Box("VMM", "vmm", USER, 0.0, 0.6), Box("Host apps", "app", USER, 0.6, 0.4)),
         (Box("Guest OS", "guest_os", USER, 0.0, 0.6),),
         (Box("Guest apps", "app", USER, 0.0, 0.6),)),
        "The VMM is an ordinary program in non-privileged mode; the host OS, "
        "which owns the hardware, does not need to be modified.", virt_row=2),
    "dual-mode": Stack(
        "dual-mode", "Dual-mode VM",
        (_HW,
         (Box("Host OS (modified)", "host_os", PRIVILEGED, 0.0, 0.5),
          Box("VMM, supervisor part", "vmm", PRIVILEGED, 0.5, 0.5)),
         (Box("Host apps", "app", USER, 0.0, 0.5), Box("VMM, user part", "vmm", USER, 0.5, 0.5)),
         (Box("Guest OS", "guest_os", USER, 0.5, 0.5),),
         (Box("Guest apps", "app", USER, 0.5, 0.5),)),
        "Part of the VMM runs at supervisor level, part at user level; "
        "the host OS may have to be modified to make room for it.", virt_row=2),
}

VM_TYPE_KEYS: tuple[str, ...] = tuple(VM_TYPES)


def vm_type(key: str) -> Stack:
    """The stack of a VM type: ``"traditional"``, ``"native"``, ``"hosted"``, ``"dual-mode"``."""
    try:
        return VM_TYPES[key]
    except KeyError:
        raise ValueError(f"unknown VM type {key!r}; choose one of {list(VM_TYPE_KEYS)}") from None


#: Before and after virtualization (Hwang et al. 2011, Fig. 3.1).
BEFORE_AND_AFTER: tuple[Stack, Stack] = (
    replace(VM_TYPES["traditional"], key="before", title="Traditional computer"),
    Stack("after", "After virtualization",
          (_HW,
           (Box("Host OS", "host_os", PRIVILEGED),),
           (Box("Virtualization layer (hypervisor or VMM)", "vmm", PRIVILEGED),),
           (Box("Guest OS", "guest_os", USER, 0.0, 0.5),
            Box("Guest OS", "guest_os", USER, 0.5, 0.5)),
           (Box("Applications", "app", USER, 0.0, 0.5),
            Box("Applications", "app", USER, 0.5, 0.5))),
          "A virtualization layer between the host and the guests turns one machine "
          "into several virtual machines, each with its own OS.", virt_row=2),
)

_VIRT = "{name}"  # placeholder for the technology's name in a level's stack

#: One concrete system per level, with the virtualization layer at ``virt_row``.
_LEVEL_STACKS: dict[str, tuple[tuple[Box, ...], ...]] = {
    "isa": (_HW, (Box("Host OS", "host_os", PRIVILEGED),),
            (Box(_VIRT, "virt", USER),),
            (Box("Guest OS and apps, compiled for another ISA", "guest_os", USER),)),
    "hardware": (_HW, (Box(_VIRT, "virt", PRIVILEGED),),
                 (Box("Guest OS", "guest_os", USER, 0.0, 0.5),
                  Box("Guest OS", "guest_os", USER, 0.5, 0.5)),
                 (Box("Apps", "app", USER, 0.0, 0.5), Box("Apps", "app", USER, 0.5, 0.5))),
    "os": (_HW, (Box("Host OS kernel, shared", "host_os", PRIVILEGED),),
           (Box(_VIRT, "virt", PRIVILEGED),),
           (Box("Container 1 apps", "app", USER, 0.0, 0.5),
            Box("Container 2 apps", "app", USER, 0.5, 0.5))),
    "library": (_HW, (Box("Host OS", "host_os", PRIVILEGED),),
                (Box(_VIRT, "virt", USER),),
                (Box("Application written for another API", "app", USER),)),
    "application": (_HW, (Box("Host OS", "host_os", PRIVILEGED),),
                    (Box(_VIRT, "virt", USER),),
                    (Box("Program compiled for the abstract machine", "app", USER),)),
}
#: Row of the virtualization layer in each level's stack.
_LEVEL_VIRT_ROWS = {"isa": 2, "hardware": 1, "os": 2, "library": 2, "application": 2}


def level_stack(level_key: str, technology_name: str | None = None) -> Stack:
    """A concrete system virtualized at one level, its virtualization layer named.

    With ``technology_name`` (one of the level's examples) the layer is labelled
    with that technology; without it, with the level's generic layer.
    """
    lvl = level(level_key)
    if technology_name is not None and technology(technology_name).level != level_key:
        raise ValueError(f"{technology_name} is an example of the "
                         f"{technology(technology_name).level!r} level, not {level_key!r}")
    name = technology_name or lvl.layer.split(":")[0]
    rows = tuple(tuple(replace(box, label=box.label.format(name=name)) for box in row)
                 for row in _LEVEL_STACKS[level_key])
    return Stack(level_key, lvl.name, rows, lvl.presents,
                 virt_row=_LEVEL_VIRT_ROWS[level_key], interface=lvl.interface)


# --- VM operations (Fig. 1.13 of Hwang et al. 2011) -------------------------------------


@dataclass(frozen=True)
class VMOperation:
    """An operation the virtualization layer can apply to a whole VM."""

    key: str
    name: str
    lecture_name: str
    effect: str


VM_OPERATIONS: tuple[VMOperation, ...] = (
    VMOperation("multiplex", "Multiplexing", "Multiplexagem",
                "several VMs share one physical machine, each with its own guest OS"),
    VMOperation("suspend", "Suspension (storage)", "Suspensão",
                "a VM's whole state is saved to storage and the VM stops running"),
    VMOperation("provision", "Provision (resume)", "Fornecimento",
                "a VM is started from its saved state, on the same or another machine"),
    VMOperation("migrate", "Live migration", "Migração em serviço",
                "a running VM moves to another machine while it keeps running"),
)

# --- relative merits (Table 3.1 of Hwang et al. 2011) -----------------------------------

MERIT_CRITERIA: tuple[str, ...] = (
    "performance", "application flexibility", "implementation complexity",
    "application isolation")

#: Ratings 1 (lowest) to 5 (highest), exactly as in the lecture and in Table 3.1.
#: "Implementation complexity" rates how complex (costly) a level is to build.
RELATIVE_MERITS: dict[str, dict[str, int]] = {
    "application": dict(zip(MERIT_CRITERIA, (2, 2, 5, 5), strict=True)),
    "library": dict(zip(MERIT_CRITERIA, (3, 2, 2, 2), strict=True)),
    "os": dict(zip(MERIT_CRITERIA, (5, 2, 3, 2), strict=True)),
    "hardware": dict(zip(MERIT_CRITERIA, (5, 3, 5, 4), strict=True)),
    "isa": dict(zip(MERIT_CRITERIA, (1, 5, 3, 3), strict=True)),
}

MERITS_SOURCE = ("K. Hwang, J. Dongarra, G. C. Fox, Distributed and Cloud Computing, "
                 "Morgan Kaufmann, 2011, sec. 3.1.1, Table 3.1")
