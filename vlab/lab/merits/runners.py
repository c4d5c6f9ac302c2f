"""Run one workload of size ``n`` natively or through one level: its modeled cycles.

Every runner returns the ledger's total cycles (vlab/host/costs.py prices) of one run,
and raises :class:`~vlab.lab.merits.cells.Unavailable` with a reason when its level
cannot run that workload.  :mod:`vlab.lab.merits.performance` runs each twice (``n`` and
``2n``) and keeps the difference, so loading, booting and container start-up cancel out
and what remains is the price of ``n`` iterations (the method of chapter 7's system-call
experiment).

Where each level's price comes from (the boundary of what is modeled):

* **native**: the user program as the first process on vlab's kernel (the modeled host),
  predecoding interpreter; the ledger charges each instruction 1 cycle (CPI 1), traps,
  system calls, page faults, context switches at their rows' prices.
* **ISA** (``isa/interp``, ``isa/dbt``): the same RV32 program emulated as if it were a
  foreign ISA.  vlab has one ISA, so the machine's own engines stand in for the emulator
  and each guest instruction is charged what an emulator pays per instruction instead of
  1 cycle: the ``hll_interpret`` row (~45 host instructions, FX!32's interpreter) for the
  interpreter and the ``hll_compiled`` row (~4.4, FX!32's translated code) for the DBT,
  plus the DBT's own ``block_translate`` events.  Simplified: the memory and kernel work
  are those of the native run.
* **hardware** (``hw/trap-emulate``, ``hw/hw``, ``hw/bt``): only bare-metal guests exist at
  this level so far (no guest kernel), so the ``compute`` and ``syscall`` workloads run
  as bare-metal guests (a U-mode loop; a guest system call is an ``ecall`` answered by
  the guest's own M-mode handler) under each VMM, against the same guest on the bare
  machine; ``hw/type2`` and ``hw/dual`` run it under the hosted hypervisors of
  vlab/hosted (CPU method ``hw``).  ``hw/hw+kernel`` and ``hw/paravirt`` run the user
  program itself on vlab's teaching guest kernel inside a VM (hardware-assisted, or the
  paravirtual build on the Xen-style VMM), against the program natively on the host
  kernel: two different kernels, so the ratio includes the guest kernel's own work.
  Simplified: the bare machine runs M-mode without
  translation, while a guest runs under the VMM's shadow or G-stage tables, so each
  guest fetch pays a TLB hit (1 cycle) the bare run does not: the 2x of ``compute`` is
  that, not the VMM.
* **OS** (``os/container``): the user program as PID 1 of a container (namespaces,
  cgroup, overlay root) on the same kernel (vlab/lab/oslevel/containers.py).
* **library**: ``lib/foreign-abi`` runs the program written for the vlab-BSD system-call
  ABI through the LxRun-style translator (vlab/library/lxrun), each ``ecall`` caught and
  translated; ``lib/accel-vm`` is the accelerator remoted from a VM (vCUDA-style), whose
  baseline is the same CUDA-API workload on the native path (vlab/library/accel).
* **application** (``app/interp``, ``app/jit``): the compute loop written in the HLL
  language, run by the HLL VM's interpreter and with its JIT; its baseline is the
  native RV32 compute loop with the same operations per iteration.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable

from vlab.host.costs import CostModel
from vlab.isa.elf import load_elf
from vlab.lab.merits.cells import Unavailable
from vlab.lab.merits.workloads import BARE_WORKLOADS, bare_elf, source, user_elf

BUDGET = 5_000_000


def _user_run(workload: str, n: int, engine: str = "interp"):
    from vlab.os.boot import run_program
    with tempfile.TemporaryDirectory(prefix="vlab-merits-") as root:
        done = run_program(load_elf(user_elf(workload, n)), paging=True, engine=engine,
                           root=root, max_instructions=BUDGET)
    if done.exit_code != 0:
        raise Unavailable(f"the program ended with {done.result}")
    return done.booted.machine


def native(workload: str, n: int) -> float:
    return _user_run(workload, n).ledger.total_cycles


def _emulated(engine: str, price_row: str) -> Callable[[str, int], float]:
    def run(workload: str, n: int) -> float:
        machine = _user_run(workload, n, engine)
        per_instruction = CostModel().cycles_of(price_row)
        return machine.ledger.total_cycles + machine.hart.instret * (per_instruction - 1)
    return run


def bare_native(workload: str, n: int) -> float:
    from vlab.os.boot import boot
    booted = boot(load_elf(bare_elf(workload, n)), mode="bare")
    result = booted.machine.run(max_instructions=BUDGET)
    if result.exit_code != 0:
        raise Unavailable(f"the bare-metal guest ended with {result}")
    return booted.machine.ledger.total_cycles


def _vm(cpu: str) -> Callable[[str, int], float]:
    def run(workload: str, n: int) -> float:
        from vlab.hardware.vm import VirtualMachine
        if workload not in BARE_WORKLOADS:
            raise Unavailable("needs a guest kernel: the hardware level runs bare-metal "
                              "guests only so far")
        vm = VirtualMachine(load_elf(bare_elf(workload, n)), cpu=cpu)
        result = vm.run(max_instructions=BUDGET)
        if result.exit_code != 0:
            raise Unavailable(f"the guest ended with {result.status}: {result.message}")
        return vm.ledger.total_cycles
    return run


def _guest_kernel(cpu: str) -> Callable[[str, int], float]:
    """The user program on vlab's teaching guest kernel (C, S-mode, Linux RV32 subset)
    inside a VM: ``hw`` runs the native build on the hardware-assisted VMM, ``paravirt``
    the paravirtual build (hypercalls instead of privileged instructions) on the
    Xen-style VMM (vlab/hardware/guest_kernel, paravirt_vmm.py)."""
    def run(workload: str, n: int) -> float:
        from vlab.hardware.guest_kernel.boot import boot_user_program
        vm = boot_user_program(user_elf(workload, n), cpu=cpu)
        result = vm.run(max_instructions=BUDGET)
        if result.exit_code == 1:
            raise Unavailable("a system call failed in the guest kernel (exit 1): it serves "
                              "a Linux subset (vlab/hardware/guest_kernel/syscall.c)")
        if result.exit_code != 0:
            raise Unavailable(f"the guest ended with {result.status}: {result.message}")
        return vm.ledger.total_cycles
    return run


def _hosted(hv_type: str) -> Callable[[str, int], float]:
    """The guest under a hosted hypervisor (vlab/hosted): type 2, the VMM a process of the
    host kernel, or dual-mode, a KVM-like module in the host kernel plus a user-mode VMM;
    both with the hardware-assisted CPU method."""
    def run(workload: str, n: int) -> float:
        from vlab.hosted.hvrun import run_guest
        if workload not in BARE_WORKLOADS:
            raise Unavailable("needs a guest kernel: the hardware level runs bare-metal "
                              "guests only so far")
        done = run_guest(load_elf(bare_elf(workload, n)), hv_type=hv_type, cpu="hw",
                         max_instructions=BUDGET)
        if done.exit_code != 0:
            raise Unavailable(f"the guest ended with {done.status}: {done.message}")
        return done.total_cycles
    return run


def container(workload: str, n: int) -> float:
    from vlab.lab.oslevel.containers import Lab
    from vlab.os.fs import ImageLayer
    lab = Lab()
    box = lab.start("bench", ["/bin/bench"],
                    image=ImageLayer({"/bin/bench": user_elf(workload, n)}))
    lab.run(BUDGET)
    outcome = box.run.outcome(lab.host)
    if outcome.exit_code != 0:
        raise Unavailable(f"the container ended with exit code {outcome.exit_code}")
    return lab.machine.ledger.total_cycles


# --- library level ----------------------------------------------------------------------

#: vlab-BSD system-call numbers (vlab/library/lxrun/programs/bsd_abi.h: FreeBSD's).
BSD = {"exit": 1, "write": 4, "open": 5, "close": 6, "getpid": 20}
BSD_O_WRONLY_CREAT_TRUNC = 0x1 | 0x200 | 0x400
ELFOSABI_FREEBSD = 9
EI_OSABI = 7

_BSD_BODIES = {
    "compute": None,                        # the Linux body: no system call in the loop
    "syscall": f"    li t0, {BSD['getpid']}\n    ecall\n",
    "device": f"""    li a0, 1
    la a1, buffer
    li a2, 16
    li t0, {BSD['write']}
    ecall
""",
    "file": f"""    la a0, path
    li a1, {BSD_O_WRONLY_CREAT_TRUNC}
    li a2, 0x1a4
    li t0, {BSD['open']}
    ecall
    mv s1, a0
    la a1, buffer
    li a2, 64
    li t0, {BSD['write']}
    ecall
    mv a0, s1
    li t0, {BSD['close']}
    ecall
""",
}


def bsd_source(workload: str, n: int) -> str:
    """``workload`` written for the vlab-BSD ABI: number in t0, FreeBSD's numbers."""
    if workload not in _BSD_BODIES:
        raise Unavailable("the vlab-BSD ABI has no mmap or fork (bsd_abi.h lists exit, "
                          "read, write, open, close, getpid, gettimeofday)")
    from vlab.lab.merits.workloads import _BODIES, _DATA
    body = _BSD_BODIES[workload] or _BODIES[workload]
    return (f"_start:\n    li s0, {n}\nloop:\n    beqz s0, done\n{body}"
            f"    addi s0, s0, -1\n    j loop\ndone:\n    li a0, 0\n    li t0, {BSD['exit']}"
            f"\n    ecall\n{_DATA}")


def foreign_abi(workload: str, n: int) -> float:
    from vlab.isa.asm import assemble
    from vlab.library.lxrun.run import run_bsd
    elf = bytearray(assemble(bsd_source(workload, n), text_base=0x1_0000).to_elf())
    elf[EI_OSABI] = ELFOSABI_FREEBSD                    # brandelf -t FreeBSD
    with tempfile.TemporaryDirectory(prefix="vlab-merits-") as root:
        path = os.path.join(root, "bench")
        with open(path, "wb") as f:
            f.write(elf)
        run = run_bsd(path, root=root, max_instructions=BUDGET)
    if run.exit_code != 0:
        raise Unavailable(f"the foreign program ended with {run.exit_code}: {run.message}")
    return run.ledger.total_cycles


ACCEL_KERNEL = "saxpy"


def accel(transport: str) -> Callable[[str, int], float]:
    def run(workload: str, n: int) -> float:
        from vlab.library.accel.workload import run_workload
        if workload != "device":
            raise Unavailable("API remoting carries accelerator calls only")
        return run_workload(ACCEL_KERNEL, n, transport=transport).ledger.total_cycles
    return run


# --- application level ------------------------------------------------------------------

def hll_source(n: int) -> str:
    """The compute loop in the HLL language: the RV32 loop's four operations (the
    language has no xor or shift: a subtraction and a multiply stand in)."""
    return (f"t = 0\nu = 0\ni = 0\nwhile i < {n}:\n    t = t + 3\n    u = u - t\n"
            "    v = u * 2\n    u = u + v\n    i = i + 1\n")


def hll(jit: bool) -> Callable[[str, int], float]:
    def run(workload: str, n: int) -> float:
        from vlab.application.hll.vm import VM
        from vlab.host.ledger import Ledger
        if workload != "compute":
            raise Unavailable("a bytecode program makes no system calls, maps no pages "
                              "and forks no process: the HLL VM's library has none")
        ledger = Ledger()
        result = VM.from_source(hll_source(n), jit=jit, ledger=ledger).run()
        if result.exit_code != 0:
            raise Unavailable(f"the HLL program ended with exit code {result.exit_code}")
        return ledger.total_cycles
    return run


def not_built(what: str) -> Callable[[str, int], float]:
    def run(workload: str, n: int) -> float:
        raise Unavailable(f"not built: {what}")
    return run


#: level variant -> (level, runner, baseline runner).  The baseline is what the
#: overhead divides by: the same workload natively, in the same form.
VARIANTS: dict[str, tuple[str, Callable, Callable]] = {
    "isa/interp": ("isa", _emulated("interp", "hll_interpret"), native),
    "isa/dbt": ("isa", _emulated("dbt", "hll_compiled"), native),
    "hw/trap-emulate": ("hardware", _vm("trap-emulate"), bare_native),
    "hw/bt": ("hardware", _vm("bt"), bare_native),
    "hw/hw": ("hardware", _vm("hw"), bare_native),
    "hw/hw+kernel": ("hardware", _guest_kernel("hw"), native),
    "hw/paravirt": ("hardware", _guest_kernel("paravirt"), native),
    "hw/type2": ("hardware", _hosted("2"), bare_native),
    "hw/dual": ("hardware", _hosted("dual"), bare_native),
    "os/container": ("os", container, native),
    "lib/foreign-abi": ("library", foreign_abi, native),
    "lib/accel-vm": ("library", accel("vm"), accel("native")),
    "lib/accel-net": ("library", accel("network"), accel("native")),
    "app/interp": ("application", hll(False), native),
    "app/jit": ("application", hll(True), native),
}

__all__ = ["VARIANTS", "native", "source"]
