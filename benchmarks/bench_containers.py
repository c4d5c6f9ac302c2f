"""Containers on vlab's kernel, measured: start time, memory with shared vs copied
layers, density, and system-call overhead inside vs outside a container.

    .venv/bin/python benchmarks/bench_containers.py [--quick]

Every figure but the last column of (1) comes from the model -- the ledger's modeled
cycles, guest time (``kernel.now_ns()``) and the frame allocator -- so it is
deterministic; the wall-clock column (``time.process_time``) is a measurement of this
Python process and marked so.

1. **Start time**: a container running ``/bin/true`` from creation to the exit of its
   PID 1 (namespaces, cgroup, overlay root, pivot_root, exec, run), one after another on
   one host.
2. **Memory, shared vs copied layers**: N idle containers of ``vlab/base``: the bytes
   of image data held (one layer object per digest, shared by every container -- the
   overlay way -- vs a private copy of the image for each container, as a VM disk
   would be) and the RAM frames their processes use (``memory.current``).
3. **Density**: idle containers (PID 1 ``sleep``) started on a host of a given RAM
   until the next one does not fit; the count, and the frames each one costs.
4. **System-call overhead**: the same program (``getppid`` in a loop, RV32 assembly)
   as a host process and as a container's PID 1, side by side on one host; modeled
   cycles and guest ns per call and their ratio.  Felter et al. (IBM Research Report
   RC25482, 2014) measured Docker's system calls at native speed: namespaces are a
   lookup, not a layer of translation.  Here the path is the same Python code, so the
   ratio says whether our namespaces add work to it.
"""
from __future__ import annotations

import argparse
import io
import time

from vlab.isa.asm import assemble
from vlab.os.container.errors import ContainerError
from vlab.os.container.images import open_store
from vlab.os.container.kernelrun import Host
from vlab.os.container.launch import LaunchPlan
from vlab.os.container.process import ProcessConfig
from vlab.os.container.statedir import StateDir
from vlab.os.fs import ImageLayer, WritableLayer
from vlab.os.syscall import NUMBERS

PAGE = 4096


def plan(name: str, lowers, argv) -> LaunchPlan:
    out = io.BytesIO()
    return LaunchPlan(name, lowers, WritableLayer(), ProcessConfig(argv, ["PATH=/bin"], "/",
                      0, 0, "bench"), [], {}, 0, None, out, out)


def start_time(lowers, count: int) -> None:
    print(f"1. start time: a container running /bin/true, from its creation to the exit "
          f"of its PID 1 ({count} runs, each on a fresh host)")
    print(f"   {'#':>3} {'guest us':>10} {'modeled cycles':>15} {'wall ms (measured)':>19}")
    rows = []
    for i in range(count):
        host = Host()
        cycles0, ns0 = host.machine.ledger.total_cycles, host.kernel.now_ns()
        wall0 = time.process_time()
        run = host.start(plan(f"start{i}", lowers, ["/bin/true"]))
        result = host.run(10_000_000)          # ends when the host init saw it end
        assert run.finished and result.status == "exit", result
        wall = (time.process_time() - wall0) * 1e3
        row = ((host.kernel.now_ns() - ns0) / 1e3, host.machine.ledger.total_cycles - cycles0,
               wall)
        rows.append(row)
        print(f"   {i:>3} {row[0]:>10.1f} {row[1]:>15,.0f} {row[2]:>19.1f}")
    mean = [sum(r[k] for r in rows) / len(rows) for k in range(3)]
    print(f"   mean {mean[0]:>8.1f} {mean[1]:>15,.0f} {mean[2]:>19.1f}\n")


IDLE = ["/bin/sleep", "100000000"]           # asleep for three years of guest time
STARTUP = 30_000                             # instructions: exec and first nanosleep


def ticker() -> bytes:
    """A host process that naps 10 us forever: the clock keeps ticking in small steps,
    so the machine never idles straight to the sleepers' far deadline (and a host whose
    containers all sleep is not a deadlock)."""
    return assemble(f"""
_start:
    la a0, nap
    li a1, 0
    li a7, {NUMBERS["nanosleep"]}
    ecall
    j _start
    .data
    .align 2
nap: .word 0, 0, 10000, 0
""", text_base=0x1_0000).to_elf()


def quiet_host(**kwargs) -> Host:
    host = Host(**kwargs)
    host.start_host_process("/bin/ticker", ticker())
    return host


def idle_containers(host, lowers_of, count: int):
    runs = []
    for i in range(count):
        runs.append(host.start(plan(f"idle{i}", lowers_of(i), IDLE)))
        host.run(STARTUP)                      # it has started and sleeps
    assert not any(run.finished for run in runs)
    return runs


def copy_layer(layer: ImageLayer) -> ImageLayer:
    """A private copy of a layer's bytes (what a per-container image copy holds)."""
    files = {p: bytes(bytearray(layer.read(p))) for p in layer.paths()}
    return ImageLayer(files, name="copy")


def layer_bytes(layers) -> int:
    seen, total = set(), 0
    for layer in layers:
        for path in layer.paths():
            data = layer.read(path)
            if id(data) not in seen:
                seen.add(id(data))
                total += len(data)
    return total


def footprint(lowers, count: int) -> None:
    print(f"2. memory of {count} idle containers of vlab/base: shared vs copied layers")
    print(f"   {'layers':<8} {'image bytes held':>17} {'RAM frames (memory.current)':>29}")
    for mode in ("shared", "copied"):
        host = quiet_host()
        layer_sets = [lowers if mode == "shared" else [copy_layer(x) for x in lowers]
                      for _ in range(count)]
        runs = idle_containers(host, layer_sets.__getitem__, count)
        held = layer_bytes([layer for layers in layer_sets for layer in layers])
        frames = sum(r.cgroup.memory.current_pages for r in runs)
        print(f"   {mode:<8} {held:>17,} {frames:>20,} ({frames * PAGE >> 10:,} KiB)")
    print("   (RAM: each exec reads its program into private frames -- no shared page "
          "cache is modeled -- so only the image bytes differ)\n")


def density(lowers, ram_mib: int) -> None:
    host = quiet_host(ram_size=ram_mib << 20)
    free0 = host.kernel.frames.free_frames
    started, why = 0, "?"
    while True:
        try:
            run = host.start(plan(f"d{started}", lowers, IDLE))
        except ContainerError as exc:          # e.g. no frame left for its page tables
            why = str(exc)
            break
        host.run(STARTUP)
        if run.finished:                      # killed while starting: out of memory
            why = f"the next one ended with {run.outcome(host).exit_code}"
            break
        started += 1
    used = free0 - host.kernel.frames.free_frames
    print(f"3. density: {started} idle containers (PID 1 sleep) fit in a host with "
          f"{ram_mib} MiB of RAM; {used:,} frames used, {used / max(started, 1):.1f} frames "
          f"= {used * PAGE / max(started, 1) / 1024:.0f} KiB each\n   ({why})\n")


def syscall_loop(calls: int) -> bytes:
    return assemble(f"""
_start:
    li s0, {calls}
    beqz s0, done
loop:
    li a7, {NUMBERS["getppid"]}
    ecall
    addi s0, s0, -1
    bnez s0, loop
done:
    li a0, 0
    li a7, {NUMBERS["exit_group"]}
    ecall
""", text_base=0x1_0000).to_elf()


def measure_loop(where: str, calls: int):
    """Modeled cycles, guest ns, system calls and wall seconds of one run of the loop
    program, from its start to its exit, as a host process or a container."""
    host = Host()
    program = syscall_loop(calls)
    ledger, kernel = host.machine.ledger, host.kernel
    cycles0, ns0, count0 = ledger.total_cycles, kernel.now_ns(), ledger.count("syscall")
    wall0 = time.process_time()
    if where == "container":
        run = host.start(plan("sys", [ImageLayer({"/bin/loop": program})], ["/bin/loop"]))
    else:
        run = host.start_host_process("/bin/loop", program)
    result = host.run(50_000_000)                 # the host init ends after its child
    assert run.finished and result.status == "exit", result
    return (ledger.total_cycles - cycles0, kernel.now_ns() - ns0,
            ledger.count("syscall") - count0, time.process_time() - wall0)


def syscall_overhead(calls: int) -> None:
    print(f"4. system calls: {calls:,} getppid calls, outside vs inside a container "
          "(a run with N calls minus a run with none, per call)")
    results = {}
    for where in ("host process", "container"):
        full, empty = measure_loop(where, calls), measure_loop(where, 0)
        made = full[2] - empty[2]
        results[where] = ((full[0] - empty[0]) / made, (full[1] - empty[1]) / made,
                          (full[3] - empty[3]) / made * 1e6)
    print(f"   {'':<14} {'cycles/call':>12} {'guest ns/call':>14} "
          f"{'wall us/call (measured)':>24}")
    for where, (cycles, ns, wall) in results.items():
        print(f"   {where:<14} {cycles:>12.1f} {ns:>14.1f} {wall:>24.2f}")
    inside, outside = results["container"], results["host process"]
    print(f"   inside/outside ratio: cycles {inside[0] / outside[0]:.3f}, guest time "
          f"{inside[1] / outside[1]:.3f}, wall {inside[2] / outside[2]:.2f} (measured)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts")
    args = parser.parse_args()
    import tempfile
    with tempfile.TemporaryDirectory() as state:
        lowers = open_store(StateDir(state)).layers("vlab/base")
        start_time(lowers, 3 if args.quick else 10)
        footprint(lowers, 3 if args.quick else 10)
        density(lowers, 2 if args.quick else 8)
        syscall_overhead(2_000 if args.quick else 20_000)


if __name__ == "__main__":
    main()
