"""Application isolation: an attack battery run against each level.

Each attack is a real program (RV32 assembly, a bare-metal guest, or an HLL module)
that tries to harm something outside itself; the cell records what happened:

* **contained**: the attempt failed, or the harm stayed inside the attacker;
* **escaped**: the attempt reached outside (a file outside the sandbox read, a
  neighbour killed, memory or processes taken without bound);
* **not tried: <reason>**: the attack cannot be expressed at that level in vlab (the
  mechanism is not built, or the level has no such resource), or vlab cannot stage it.

The attacks (Hwang et al. 2011, sec. 3.1.1 "application isolation"; Felter et al. 2014
for containers):

==============  ========================================================================
read files      read ``secret.txt``, placed *outside* the level's root (``../secret.txt``,
                or guest memory past the guest's RAM for a VM)
exhaust memory  allocate without end under the level's limit
fork bomb       fork ten children under a limit of four processes
signal          ``kill(pid, SIGKILL)`` for every pid 2..32 while a neighbour runs
CPU hog         a neighbour spins while the victim computes, default limits: does the
                victim finish in (nearly) the time it takes alone?
guest fault     a guest that jumps to nowhere / takes traps without end: does the
                kernel or VMM (a Python handler here) survive?
DMA             a directly assigned disk programmed to write into the VMM's memory
timing          measure a neighbour through a shared resource
==============  ========================================================================

Simplified: one attempt per attack and level; "contained" means *this* attempt failed,
not that no attack could succeed (a real kernel bug would end every container at once,
and only one VM: vlab has no such bug to trigger, so that attack is "not tried").
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

from vlab.isa.asm import assemble
from vlab.isa.elf import load_elf
from vlab.lab.merits.cells import Absent, attempt
from vlab.os.unistd import NUMBERS

ATTACKS: tuple[str, ...] = ("read files", "exhaust memory", "fork bomb", "signal",
                            "guest fault", "CPU hog", "DMA", "timing")
LEVELS: tuple[str, ...] = ("isa", "hardware", "os", "library", "application")
SECRET = b"the neighbour's secret\n"
TEXT_BASE = 0x1_0000


@dataclass(frozen=True)
class Outcome:
    """A tried attack: ``contained`` or not, and what was seen."""

    contained: bool
    seen: str

    def __str__(self) -> str:
        return ("contained" if self.contained else "escaped") + f": {self.seen}"


def _user(body: str, data: str = "") -> bytes:
    return assemble(f"_start:\n{body}\n.data\n{data}", text_base=TEXT_BASE).to_elf()


def open_program(path: str) -> bytes:
    """Open ``path`` read-only and read it: exit 0 if it opened, 3 if it did not."""
    return _user(f"""
    li a0, -100
    la a1, path
    li a2, 0
    li a3, 0
    li a7, {NUMBERS["openat"]}
    ecall
    bltz a0, refused
    la a1, buffer
    li a2, 64
    li a7, {NUMBERS["read"]}
    ecall
    li a0, 0
    li a7, {NUMBERS["exit_group"]}
    ecall
refused:
    li a0, 3
    li a7, {NUMBERS["exit_group"]}
    ecall
""", f'path: .asciz "{path}"\nbuffer: .space 64\n')


def killer_program() -> bytes:
    """``kill(pid, SIGKILL)`` for pid 2..32 except its own; then exit 0."""
    return _user(f"""
    li a7, {NUMBERS["getpid"]}
    ecall
    mv s1, a0
    li s0, 2
next:
    li t0, 33
    bge s0, t0, out
    beq s0, s1, skip
    mv a0, s0
    li a1, 9
    li a7, {NUMBERS["kill"]}
    ecall
skip:
    addi s0, s0, 1
    j next
out:
    li a0, 0
    li a7, {NUMBERS["exit_group"]}
    ecall
""")


def victim_program(spins: int = 20_000) -> bytes:
    """Spin ``spins`` times, then exit 0: still alive when the attacker runs."""
    return _user(f"""
    li s0, {spins}
loop:
    addi s0, s0, -1
    bnez s0, loop
    li a0, 0
    li a7, {NUMBERS["exit_group"]}
    ecall
""")


def _secret_beside(root: str) -> None:
    with open(os.path.join(os.path.dirname(root), "secret.txt"), "wb") as f:
        f.write(SECRET)


def _sandbox() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="vlab-merits-attack-")


# --- read files -------------------------------------------------------------------------

def read_isa() -> Outcome:
    """`vlab run --root R`: the proxy kernel's sandbox root; the program opens ../secret."""
    from vlab.os.boot import run_program
    with _sandbox() as tmp:
        root = os.path.join(tmp, "root")
        os.mkdir(root)
        _secret_beside(root)
        done = run_program(load_elf(open_program("../secret.txt")), root=root)
    return Outcome(done.exit_code != 0, f"open('../secret.txt') -> exit {done.exit_code}")


def read_container() -> Outcome:
    """A neighbour container holds /secret.txt; the attacker opens it and ../ paths."""
    from vlab.lab.oslevel.containers import Lab
    from vlab.os.fs import ImageLayer
    lab = Lab()
    lab.start("victim", ["/bin/victim"], image=ImageLayer(
        {"/bin/victim": victim_program(), "/secret.txt": SECRET}))
    attacker = lab.start("attacker", ["/bin/attack"], image=ImageLayer(
        {"/bin/attack": open_program("/../../secret.txt")}))
    lab.run(2_000_000)
    code = attacker.run.outcome(lab.host).exit_code
    return Outcome(code != 0, f"open('/../../secret.txt') in a neighbour's file -> exit {code}")


def read_library() -> Outcome:
    """The foreign-ABI layer runs the program with a sandbox root; it opens ../secret."""
    from vlab.lab.merits.runners import EI_OSABI, ELFOSABI_FREEBSD
    from vlab.library.lxrun.run import run_bsd
    elf = bytearray(assemble("""
_start:
    la a0, path
    li a1, 0
    li a2, 0
    li t0, 5
    ecall
    bltu a0, zero, refused
    li a0, 0
    li t0, 1
    ecall
""" + 'refused:\n    li a0, 3\n    li t0, 1\n    ecall\n.data\npath: .asciz "../secret.txt"\n',
        text_base=TEXT_BASE).to_elf())
    elf[EI_OSABI] = ELFOSABI_FREEBSD
    with _sandbox() as tmp:
        root = os.path.join(tmp, "root")
        os.mkdir(root)
        _secret_beside(root)
        path = os.path.join(root, "attack")
        with open(path, "wb") as f:
            f.write(elf)
        run = run_bsd(path, root=root)
    opened = run.log and run.log[0][1].lstrip("-").isdigit() and not \
        run.log[0][1].startswith("error")
    return Outcome(not opened, f"open('../secret.txt') through the BSD-ABI layer -> "
                               f"{run.log[0][1] if run.log else 'no call'}")


def read_application() -> Outcome:
    """An HLL module with every path allowed by policy; its host root is the sandbox."""
    from vlab.application.hll.host import DirectoryHost
    from vlab.application.hll.policy import Policy
    from vlab.application.hll.vm import VM
    with _sandbox() as tmp:
        root = os.path.join(tmp, "root")
        os.mkdir(root)
        _secret_beside(root)
        vm = VM.from_source('print(read_text("../secret.txt"))', host=DirectoryHost(root),
                            policy=Policy.allow_all())
        result = vm.run()
    return Outcome(result.exit_code != 0,
                   f"read_text('../secret.txt') -> exit {result.exit_code}")


GUEST_EPILOGUE = """
finish:
    la t6, tohost
    sw a0, 0(t6)
    sw zero, 4(t6)
1:  j 1b
.data
.align 3
tohost: .word 0, 0
fromhost: .word 0, 0
"""


def _guest(body: str) -> bytes:
    return assemble(".text\n.globl _start\n_start:\n" + body + GUEST_EPILOGUE,
                    filename="attack.s").to_elf()


def read_hardware() -> Outcome:
    """A guest reads the word just past its guest RAM (the VMM's memory, or another VM's)."""
    from vlab.hardware.vm import VirtualMachine
    guest_ram = 1 << 20
    vm = VirtualMachine(load_elf(_guest(f"""
    li t0, {0x8000_0000 + guest_ram:#x}
    lw t1, 0(t0)
    li a0, 1
    j finish
""")), cpu="trap-emulate", guest_ram=guest_ram)
    result = vm.run(max_instructions=100_000)
    return Outcome(result.status == "fault", f"load past guest RAM -> {result.status}")


# --- exhaust memory, fork bomb, signal -----------------------------------------------------

def memory_container() -> Outcome:
    from vlab.lab.oslevel.containers import Lab
    from vlab.lab.oslevel.workloads import workload_layer
    lab = Lab()
    hog = lab.start("hog", ["/bin/hog1024"], limits={"memory.max": str(256 << 10)},
                    image=workload_layer((1024,)))
    lab.run(5_000_000)
    code = hog.run.outcome(lab.host).exit_code
    return Outcome(code != 0, f"1 MiB under memory.max = 256 KiB -> exit {code}")


def memory_application() -> Outcome:
    from vlab.application.hll.vm import VM
    vm = VM.from_source('x = []\nwhile True:\n    x.append("abcdefgh" * 64)\n',
                        heap_limit=1 << 20)
    result = vm.run()
    return Outcome(result.exit_code != 0, f"unbounded list under a 1 MiB heap -> exit "
                                          f"{result.exit_code}")


def memory_hardware() -> Outcome:
    """A guest stores to every page up past its RAM: only its own RAM takes the writes."""
    from vlab.hardware.vm import VirtualMachine
    guest_ram = 1 << 20
    vm = VirtualMachine(load_elf(_guest(f"""
    li t0, 0x80010000
    li t2, {0x8000_0000 + guest_ram + 0x10000:#x}
    li t3, 4096
fill:
    sw t3, 0(t0)
    add t0, t0, t3
    bltu t0, t2, fill
    li a0, 1
    j finish
""")), cpu="trap-emulate", guest_ram=guest_ram)
    result = vm.run(max_instructions=100_000)
    return Outcome(result.status == "fault", f"stores up past guest RAM -> {result.status} at "
                                             f"{result.tval:#x}" if result.tval else
                   f"stores up past guest RAM -> {result.status}")


def fork_container() -> Outcome:
    from vlab.lab.oslevel.containers import Lab
    from vlab.lab.oslevel.workloads import workload_layer
    lab = Lab()
    forker = lab.start("forker", ["/bin/forker"], limits={"pids.max": "4"},
                       image=workload_layer(()))
    lab.run(300_000)
    count = int(forker.cgroup.read_file("pids.current"))
    return Outcome(count <= 4, f"ten forks under pids.max = 4 -> {count} processes")


def signal_container() -> Outcome:
    from vlab.lab.oslevel.containers import Lab
    from vlab.os.fs import ImageLayer
    lab = Lab()
    victim = lab.start("victim", ["/bin/victim"],
                       image=ImageLayer({"/bin/victim": victim_program()}))
    lab.start("attacker", ["/bin/kill"], image=ImageLayer({"/bin/kill": killer_program()}))
    lab.run(2_000_000)
    code = victim.run.outcome(lab.host).exit_code
    return Outcome(code == 0, f"kill(2..32, SIGKILL) from a neighbour -> victim exit {code}")


def fork_isa() -> Outcome:
    """The same fork bomb on the emulator's proxy kernel, which has no process limit."""
    from vlab.lab.oslevel.workloads import FORKER
    from vlab.os.boot import run_program
    elf = assemble(FORKER, text_base=TEXT_BASE).to_elf()
    done = run_program(load_elf(elf), paging=True, max_instructions=300_000)
    count = len(done.booted.kernel.processes)
    return Outcome(count <= 4, f"ten forks, no limit offered -> {count} processes")


def _finish_ns(with_hog: bool) -> int:
    from vlab.lab.oslevel.containers import Lab
    from vlab.lab.oslevel.workloads import workload_layer
    from vlab.os.fs import ImageLayer
    lab = Lab()
    victim = lab.start("victim", ["/bin/victim"],
                       image=ImageLayer({"/bin/victim": victim_program(200_000)}))
    if with_hog:
        lab.start("hog", ["/bin/spin"], image=workload_layer(()))
    for _ in range(400):
        lab.run(20_000)
        if not victim.run.outcome(lab.host).running:   # ended (exit or kill)
            return lab.now_ns()
    raise RuntimeError("the victim did not finish within its budget")


def cpu_container() -> Outcome:
    """A spinning neighbour with the default limits (no cpu.max): when does the victim end?"""
    alone, beside = _finish_ns(False), _finish_ns(True)
    return Outcome(beside < 1.2 * alone, f"the victim ends after {beside / alone:.1f}x its "
                                         "time alone (no cpu.max: the CPU is shared)")


# --- guest fault ---------------------------------------------------------------------------

def fault_hardware() -> Outcome:
    """A guest without a trap handler jumps to nowhere: a trap storm the VMM must end."""
    from vlab.hardware.vm import VirtualMachine
    vm = VirtualMachine(load_elf(_guest("""
    li t0, 0x10
    csrw mtvec, t0
    jr t0
""")), cpu="trap-emulate")
    result = vm.run(max_instructions=100_000)
    return Outcome(True, f"the VMM survived; the guest stopped: {result.status}")


def fault_container() -> Outcome:
    """A container's program executes an illegal instruction; its neighbour runs on."""
    from vlab.lab.oslevel.containers import Lab
    from vlab.os.fs import ImageLayer
    lab = Lab()
    victim = lab.start("victim", ["/bin/victim"],
                       image=ImageLayer({"/bin/victim": victim_program()}))
    bad = lab.start("bad", ["/bin/bad"], image=ImageLayer({"/bin/bad": _user(".word 0")}))
    lab.run(2_000_000)
    bad_code, code = bad.run.outcome(lab.host).exit_code, victim.run.outcome(lab.host).exit_code
    return Outcome(code == 0, f"attacker exit {bad_code}, neighbour exit {code}")


def dma_hardware() -> Outcome:
    """A guest programs its directly assigned disk (passthrough, behind the IOMMU) to DMA
    into the VMM's memory, just past its own RAM (vlab/hardware/io)."""
    from vlab.hardware.io.guest_program import Job
    from vlab.hardware.io.measure import boot, run_job
    from vlab.host.devices.block import STATUS_DMA_FAULT
    vm = boot("passthrough")
    memory = vm.memory
    before = vm.machine.bus.read_bytes(memory.vmm_base, memory.vmm_size)
    run = run_job("passthrough", Job("dma", 0, dma_addr=memory.vmm_base + 0x4000), vm)
    unchanged = vm.machine.bus.read_bytes(memory.vmm_base, memory.vmm_size) == before
    refused = run.result == STATUS_DMA_FAULT
    return Outcome(refused and unchanged, "DMA into the VMM's memory -> " +
                   ("refused by the IOMMU, nothing changed" if refused and unchanged else
                    f"device status {run.result}, VMM memory "
                    f"{'unchanged' if unchanged else 'CHANGED'}"))


def not_tried(reason: str):
    def run():
        return Absent(f"not tried: {reason}")
    return run


NO_NEIGHBOUR = "this level runs one program per process; vlab stages no neighbour here"
#: attack -> level -> how it is tried.
BATTERY = {
    "read files": {"isa": read_isa, "hardware": read_hardware, "os": read_container,
                   "library": read_library, "application": read_application},
    "exhaust memory": {"isa": not_tried("the emulator's memory is the machine's RAM: no "
                                        "limit beside it to test"),
                       "hardware": memory_hardware, "os": memory_container,
                       "library": not_tried("the library level adds no memory limit"),
                       "application": memory_application},
    "fork bomb": {"isa": fork_isa,
                  "hardware": not_tried("bare-metal guests have no processes"),
                  "os": fork_container,
                  "library": not_tried("the vlab-BSD ABI and KERNEL32 subset have no fork"),
                  "application": not_tried("the HLL language has no process creation")},
    "signal": {"isa": not_tried(NO_NEIGHBOUR),
               "hardware": not_tried("bare-metal guests have no signals"),
               "os": signal_container,
               "library": not_tried("the foreign ABIs have no kill"),
               "application": not_tried("the HLL language has no signals")},
    "guest fault": {"isa": not_tried(NO_NEIGHBOUR), "hardware": fault_hardware,
                    "os": fault_container,
                    "library": not_tried(NO_NEIGHBOUR),
                    "application": not_tried(NO_NEIGHBOUR)},
    "DMA": {**{level: not_tried("this level offers its programs no DMA-capable device "
                                "(devices stay behind the host kernel)") for level in LEVELS},
            "hardware": dma_hardware},
    "CPU hog": {"isa": not_tried(NO_NEIGHBOUR),
                "hardware": not_tried("each VM has a machine of its own in vlab: no "
                                      "consolidation to share"),
                "os": cpu_container,
                "library": not_tried(NO_NEIGHBOUR), "application": not_tried(NO_NEIGHBOUR)},
    "timing": {level: not_tried("no timing side channel is modeled (the ledger charges "
                                "no shared cache)") for level in LEVELS},
}


def battery() -> dict[str, dict[str, Outcome | Absent]]:
    """attack -> level -> cell, each attack really tried where it can be."""
    return {attack: {level: attempt(BATTERY[attack][level]) for level in LEVELS}
            for attack in ATTACKS}


def score(level: str, table: dict) -> int | None:
    """:data:`ISOLATION_RULE`; None if no attack was tried at that level."""
    cells = [table[attack][level] for attack in ATTACKS]
    tried = [cell for cell in cells if isinstance(cell, Outcome)]
    if not tried:
        return None
    ratio = round(1 + 4 * sum(cell.contained for cell in tried) / len(tried))
    return min(ratio, 1 + len(tried))


ISOLATION_RULE = ("1 + 4 x (attacks contained) / (attacks tried), rounded, and at most "
                  "1 + (attacks tried): a high score needs evidence")
