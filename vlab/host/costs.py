"""The cost model: what each machine event costs, in cycles, and who says so.

vlab's mechanisms are real (page tables are walked, traps are taken, pages are
copied) but *time* is modeled: every level counts the events it causes and the
:class:`~vlab.host.ledger.Ledger` prices them with a :class:`CostModel`. One
price list for every level is what lets the course compare an interpreter, a
hypervisor and a container on one scale (Hwang, Dongarra & Fox 2011, §3.1.2,
"relative merits").

The numbers below are **modeled, illustrative defaults**, not measurements of
this Python program. Each row names the hardware and the publication it is
taken from; most come from x86 machines of the mid-2000s (Pentium M / Pentium 4,
first-generation Intel VT-x), the era of the papers the course reproduces, and
are rounded to the order of magnitude the source reports. Where no single
published figure exists the source column says so. Experiments are expected to
override them: ``CostModel.default().with_overrides(vm_exit=500)`` models a
newer CPU whose VM exits are cheaper.

The table is the subject, so it is written as a table: one row per event, for
every level (the machine, the network a streamed application uses, the HLL VM
and its garbage collector). Nothing registers a price by being imported; a level
that needs a new event adds a row here, or calls :meth:`CostModel.register`
explicitly before charging it. Durations (a network round trip) become cycles
at the one host clock of :mod:`vlab.host.clock` (2 GHz).

References
----------
- Adams & Agesen, "A Comparison of Software and Hardware Techniques for x86
  Virtualization", ASPLOS 2006.
- Agesen, Mattson, Rugina & Sheldon, "Software Techniques for Avoiding Hardware
  Virtualization Exits", USENIX ATC 2012 (VM exit latency by CPU generation).
- Barham et al., "Xen and the Art of Virtualization", SOSP 2003.
- Chernoff et al., "FX!32: A Profile-Directed Binary Translator", IEEE Micro
  18(2), 1998 (host instructions per emulated and per translated instruction).
- Bhargava, Serebrin, Spadini & Manne, "Accelerating Two-Dimensional Page Walks
  for Virtualized Systems", ASPLOS 2008.
- Drepper, "What Every Programmer Should Know About Memory", 2007, §3.3
  (Pentium M access times: L1d ~3 cycles, L2 ~14, main memory ~240) and §3.5
  (memory bandwidth of the era's front-side bus: a few GB/s).
- Jones, Hosking & Moss, *The Garbage Collection Handbook*, 2011, sec. 2.5
  (mark-sweep: marking is proportional to the live objects, sweeping to the heap).
- Hennessy & Patterson, *Computer Architecture: A Quantitative Approach*, 5th
  ed., 2012, App. B.4 (TLB: hit 0.5-1 cycle, miss penalty 10-100 cycles) and
  App. C (an ideal pipeline retires one instruction per cycle).
- Li, Ding & Shen, "Quantifying the Cost of Context Switch", ExpCS 2007.
- Soares & Stumm, "FlexSC: Flexible System Call Scheduling with Exception-Less
  System Calls", OSDI 2010, §2 (direct and indirect cost of a system call).
- Sugerman, Venkitachalam & Lim, "Virtualizing I/O Devices on VMware
  Workstation's Hosted Virtual Machine Monitor", USENIX ATC 2001.
- Volkov & Demmel, "Benchmarking GPUs to Tune Dense Linear Algebra", SC 2008
  (kernel launch latency, PCIe copy cost, sustained SGEMM rate: the accel_* rows).
- Shi, Chen & Sun, "vCUDA: GPU Accelerated High Performance Computing in Virtual
  Machines", IPDPS 2009 (remote_* rows); Duato et al., "rCUDA: Reducing the Number
  of GPU-Based Accelerators in High Performance Clusters", HPCS 2010 (net_* rows).
- Drepper, "How To Write Shared Libraries", 2011, sec. 1.5 (dl_lookup).
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real

from .clock import HOST_CLOCK_HZ, host_cycles

LAN_ROUND_TRIP_US = 500       # a switched LAN request/response (stated assumption)
LAN_US_PER_BYTE = 8 / 100     # 100 Mbit/s: 8 bits in 0.08 us (stated assumption)
VM_BRIDGE_LATENCY_US = 10     # a frame through a host's software bridge (stated assumption)


@dataclass(frozen=True)
class Cost:
    """One row of the cost table."""

    event: str
    cycles: int | float
    category: str
    source: str


# event, cycles, category, source of the default
DEFAULT_COSTS: tuple[Cost, ...] = tuple(Cost(*row) for row in (
    ("instruction", 1, "compute",
     "ideal pipelined CPI of 1 (Hennessy & Patterson 5th ed., App. C)"),
    ("mem_read", 3, "memory",
     "L1d hit ~3 cycles on Pentium M (Drepper 2007, §3.3)"),
    ("mem_write", 3, "memory",
     "L1d hit ~3 cycles on Pentium M (Drepper 2007, §3.3)"),
    ("dram_access", 240, "memory",
     "main-memory access ~240 cycles on Pentium M (Drepper 2007, §3.3)"),
    ("tlb_hit", 1, "mmu",
     "TLB hit time 0.5-1 cycle (Hennessy & Patterson 5th ed., App. B.4)"),
    ("tlb_miss", 10, "mmu",
     "fixed part of a TLB miss, low end of the 10-100 cycle miss penalty "
     "(Hennessy & Patterson 5th ed., App. B.4); each page-walk reference is "
     "charged on top as page_walk_ref"),
    ("page_walk_ref", 14, "mmu",
     "one page-table-entry read, usually an L2 hit ~14 cycles (Drepper 2007, "
     "§3.3); nested walks multiply these (Bhargava et al. 2008)"),
    ("trap", 100, "trap",
     "exception entry: pipeline flush + vector to handler, order of 100 "
     "cycles for a user-to-kernel mode switch on x86 (Soares & Stumm 2010, §2)"),
    ("interrupt", 150, "trap",
     "a trap plus acknowledging the interrupt controller; modeled as "
     "trap x 1.5 (illustrative)"),
    ("privilege_switch", 50, "trap",
     "return to a less privileged mode (mret/sret, sysret/iret): about half a "
     "mode switch (Soares & Stumm 2010, §2; illustrative)"),
    ("device_access", 250, "io",
     "uncached device-register access: at least a main-memory round trip, "
     "~240 cycles (Drepper 2007, §3.3)"),
    ("dma_byte", 1, "io",
     "DMA at ~1 byte/cycle: ~2 GB/s at the 2 GHz host clock, the order of a "
     "PCIe 2.0 x4 link (illustrative)"),
    ("virtq_descriptor", 40, "io",
     "a virtio back end reading one 16-byte descriptor the guest's driver just wrote: "
     "a cache line moved between cores, between an L2 hit (~14) and memory (~240) "
     "(Drepper 2007, §3.3); illustrative"),
    ("net_frame", round(host_cycles(VM_BRIDGE_LATENCY_US), 6), "network",
     f"one frame through the host's software bridge between VMs: {VM_BRIDGE_LATENCY_US} us "
     "of switching and wire latency (stated assumption, vlab/hardware/io/bridge.py)"),
    ("syscall", 250, "os",
     "native null system call: a few hundred cycles on Pentium 4 "
     "(Adams & Agesen 2006, syscall nanobenchmark)"),
    ("page_zero", 4096, "os",
     "clearing a 4 KiB frame at main-memory bandwidth, ~2 GB/s = ~1 byte per cycle at "
     "the 2 GHz host clock (the order of Drepper 2007, §3.5; illustrative)"),
    ("page_copy", 8192, "os",
     "copying a 4 KiB frame (copy-on-write): a read and a write of every byte at ~1 "
     "byte per cycle each (Drepper 2007, §3.5; illustrative)"),
    ("context_switch", 5000, "os",
     "process context switch, direct cost of a few microseconds at 2 GHz "
     "(Li, Ding & Shen 2007)"),
    ("vm_exit", 1500, "virtualization",
     "VM exit + VM entry round trip on first-generation VT-x, ~1,500-2,000 "
     "cycles (Adams & Agesen 2006; Agesen et al. 2012, Fig. 1)"),
    ("hypercall", 300, "virtualization",
     "paravirtual call into the hypervisor: a software trap like a system "
     "call (Barham et al. 2003, §2); syscall + argument checks (illustrative)"),
    ("world_switch", 4000, "virtualization",
     "hosted-VMM world switch: save/restore the whole host context, "
     "microseconds on a Pentium III (Sugerman et al. 2001, §3; illustrative)"),
    ("shadow_pt_update", 1000, "virtualization",
     "VMM work to validate a guest PTE write and update the shadow entry, "
     "thousands of cycles (Adams & Agesen 2006, ptemod nanobenchmark)"),
    ("page_hash", 14_000, "virtualization",
     "hashing one 4 KiB page for content-based sharing: BLAKE2b at ~3.5 cycles per "
     "byte (Aumasson et al., ACNS 2013, sec. 4); ESX hashes each page it scans "
     "(Waldspurger 2002, sec. 4.2)"),
    ("swap_io", 200_000, "virtualization",
     "access time of one 4 KiB page on the swap device, ~100 us at 2 GHz: flash reads "
     "25 us and programs 200 us per page (Agrawal et al., USENIX ATC 2008, Table 2); "
     "the DMA itself is dma_byte (illustrative)"),
    ("bt_callout", 400, "virtualization",
     "binary translation: translated guest-kernel code calling into the VMM to emulate "
     "one sensitive instruction -- a call and return inside the VMM, no trap and no mode "
     "switch: hundreds of cycles where a trap round trip costs thousands (Adams & Agesen "
     "2006, sec. 3.1 callouts, sec. 6 nanobenchmarks); illustrative"),
    ("bt_translate", 100, "virtualization",
     "binary translation: decoding one guest-kernel instruction, classifying it by the "
     "sensitivity table and emitting its copy or callout: tens to a hundred host "
     "instructions; no single published figure (Adams & Agesen 2006, sec. 3.1); "
     "illustrative"),
    ("block_translate", 2000, "translation",
     "translating one guest basic block: tens of host instructions per guest "
     "instruction translated; no single published figure (illustrative)"),
    ("stream_round_trip", round(host_cycles(LAN_ROUND_TRIP_US), 6), "network",
     f"one streaming request/response round trip: 0.5 ms on a switched LAN at the "
     f"{HOST_CLOCK_HZ // 10**9} GHz host clock (stated assumption, sandbox.network.LAN)"),
    ("stream_byte", round(host_cycles(LAN_US_PER_BYTE), 6), "network",
     f"one package byte received at 100 Mbit/s: 80 ns at the {HOST_CLOCK_HZ // 10**9} GHz "
     "host clock (stated assumption, sandbox.network.LAN)"),
    ("hll_interpret", 45, "application",
     "interpreting one bytecode (fetch, dispatch, operate): tens of host instructions; "
     "FX!32's interpreter took ~45 per instruction (Chernoff et al., IEEE Micro 1998); "
     "illustrative"),
    ("hll_compiled", 4.4, "application",
     "one bytecode run as JIT-compiled code; FX!32's translated code took ~4.4 host "
     "instructions per guest instruction (Chernoff et al. 1998); illustrative"),
    ("hll_jit_compile", 500, "application",
     "compiling one bytecode to host code in a baseline JIT; no single published figure "
     "(illustrative)"),
    ("gc_collection", 1000, "application",
     "fixed cost of one collection: stop, scan roots (illustrative)"),
    ("gc_mark", 20, "application",
     "marking one live object: proportional to the live set (Jones et al., GC Handbook "
     "2011, sec. 2.5); illustrative"),
    ("gc_sweep", 5, "application",
     "sweeping one heap object: proportional to the heap (GC Handbook sec. 2.5); "
     "illustrative"),
    ("accel_launch", 10_000, "accelerator",
     "launching one kernel on a discrete GPU: ~5 us at the 2 GHz host clock (Volkov & "
     "Demmel, 'Benchmarking GPUs to Tune Dense Linear Algebra', SC 2008, sec. 3.1)"),
    ("accel_copy_setup", 20_000, "accelerator",
     "fixed cost of one host<->device copy: ~10 us (Volkov & Demmel 2008, sec. 3.2)"),
    ("accel_copy_byte", 0.5, "accelerator",
     "one byte over PCIe 1.1 x16 at ~4 GB/s sustained: 0.5 cycle at 2 GHz (Volkov & "
     "Demmel 2008, sec. 3.2, 3.3 GB/s pinned); illustrative"),
    ("accel_flop", 0.01, "accelerator",
     "one floating-point operation on the device at ~200 GFLOP/s sustained: 0.01 cycle "
     "at 2 GHz (Volkov & Demmel 2008, SGEMM); illustrative"),
    ("remote_call", 30_000, "remoting",
     "one API call forwarded from a VM to the host back end and answered (marshal, "
     "VMM channel, unmarshal, reply): ~15 us (Shi, Chen & Sun, 'vCUDA', IPDPS 2009, "
     "sec. 5: overhead per call dominates small calls); illustrative"),
    ("remote_byte", 2, "remoting",
     "one byte copied through the VM<->host channel, once into and once out of the "
     "shared buffer at ~1 byte/cycle each (Shi et al. 2009; Drepper 2007, sec. 3.5)"),
    ("net_round_trip", 100_000, "network",
     "one request/response over TCP on Gigabit Ethernet: ~50 us (Duato et al., 'rCUDA', "
     "HPCS 2010, sec. V); illustrative"),
    ("net_byte", 16, "network",
     "one byte at 1 Gbit/s: 8 ns = 16 cycles at 2 GHz (Duato et al. 2010, GigE)"),
    ("lib_hook_call", 20, "library",
     "one call through an LD_PRELOAD hook: a PLT indirect jump to the hook plus its "
     "call on to the real function (RTLD_NEXT pointer cached): tens of cycles; "
     "illustrative"),
    ("dl_lookup", 400, "library",
     "binding one symbol at run time: hash the name, walk the hash chains of each object "
     "in scope, compare strings: hundreds of cycles (Drepper, 'How To Write Shared "
     "Libraries', 2011, sec. 1.5); illustrative"),
    ("lib_trace_stop", 12_000, "library",
     "one ltrace stop: a breakpoint trap, two context switches to the tracer and back "
     "and its ptrace reads (Li, Ding & Shen 2007; Soares & Stumm 2010); illustrative"),
    ("lib_abi_translate", 100, "library",
     "translating one foreign system call (LxRun, WSL 1): look the foreign number up, "
     "convert its flags, structures and errno through tables: about a trap's worth of "
     "table-driven work, paid on top of the trap and the native calls; illustrative"),
))


class CostModel:
    """A price list: cycles per named event, with category and source.

    ``CostModel.default()`` prices every event by the table above (plus any
    event a later level added with :meth:`register`); ``with_overrides``
    returns a *new* model with some prices changed. A model never changes its
    prices after creation, so ledgers and snapshots can keep a reference to it.
    """

    # The shared table of known events, in registration order.
    _registry: dict[str, Cost] = {c.event: c for c in DEFAULT_COSTS}

    def __init__(self, overrides: dict[str, int | float] | None = None):
        self._overrides: dict[str, int | float] = {}
        for event, cycles in (overrides or {}).items():
            self._check_event(event)
            self._overrides[event] = _check_cycles(event, cycles)

    @classmethod
    def default(cls) -> CostModel:
        """The cited default prices."""
        return cls()

    def with_overrides(self, **cycles: int | float) -> CostModel:
        """A new model with the given events re-priced, e.g. ``vm_exit=500``."""
        return CostModel({**self._overrides, **cycles})

    @classmethod
    def register(cls, name: str, cycles: int | float, category: str, source: str) -> Cost:
        """Add an event to the table, explicitly (an experiment or a level being built;
        a finished level's events belong in :data:`DEFAULT_COSTS`). Registering the same
        row twice is harmless; redefining an existing event is an error."""
        row = Cost(name, _check_cycles(name, cycles), category, source)
        existing = cls._registry.get(name)
        if existing is not None and existing != row:
            raise ValueError(f"event {name!r} is already registered as {existing}; "
                             "use with_overrides() to change its price in an experiment")
        cls._registry[name] = row
        return row

    # -- reading prices -----------------------------------------------------

    def _check_event(self, event: str) -> None:
        if event not in self._registry:
            raise KeyError(f"unknown cost event {event!r}; known events: "
                           f"{', '.join(self._registry)} (later levels add events "
                           "with CostModel.register)")

    def cycles_of(self, event: str) -> int | float:
        """Cycles charged for one occurrence of ``event``."""
        if event in self._overrides:
            return self._overrides[event]
        self._check_event(event)
        return self._registry[event].cycles

    def category_of(self, event: str) -> str:
        self._check_event(event)
        return self._registry[event].category

    def __getitem__(self, event: str) -> Cost:
        """The row for ``event`` as priced by this model."""
        row = self._registry.get(event)
        if row is None:
            self._check_event(event)
        if event in self._overrides:
            return Cost(event, self._overrides[event], row.category, "override")
        return row

    def __contains__(self, event: str) -> bool:
        return event in self._registry

    def events(self) -> tuple[str, ...]:
        """All known event names, in table order."""
        return tuple(self._registry)

    def rows(self) -> list[Cost]:
        """Every row as priced by this model."""
        return [self[e] for e in self._registry]

    def categories(self) -> tuple[str, ...]:
        """Category names, in order of first appearance in the table."""
        return tuple(dict.fromkeys(c.category for c in self._registry.values()))

    @property
    def overrides(self) -> dict[str, int | float]:
        return dict(self._overrides)

    def __eq__(self, other) -> bool:
        return isinstance(other, CostModel) and self._overrides == other._overrides

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._overrides.items())))

    def __repr__(self) -> str:
        if not self._overrides:
            return "CostModel.default()"
        args = ", ".join(f"{k}={v}" for k, v in self._overrides.items())
        return f"CostModel.default().with_overrides({args})"

    def table(self) -> str:
        """The price list as plain text: event, cycles, category, source."""
        rows = self.rows()
        w_event = max(len("event"), *(len(r.event) for r in rows))
        w_cat = max(len("category"), *(len(r.category) for r in rows))
        lines = [f"{'event':<{w_event}}  {'cycles':>8}  {'category':<{w_cat}}  source"]
        for r in rows:
            lines.append(f"{r.event:<{w_event}}  {r.cycles:>8}  {r.category:<{w_cat}}  {r.source}")
        return "\n".join(lines)


def _check_cycles(event: str, cycles) -> int | float:
    if isinstance(cycles, bool) or not isinstance(cycles, Real) or cycles < 0:
        raise ValueError(f"cost of {event!r} must be a non-negative number of cycles, "
                         f"got {cycles!r}")
    return cycles
