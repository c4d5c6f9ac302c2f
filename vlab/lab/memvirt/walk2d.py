"""The two-dimensional page walk, reference by reference, as the walker makes it.

``walk_trace`` builds a guest's Sv32 tables (in guest-physical memory) and the VMM's
Sv32x4 G-stage table on a machine with the H extension, puts the hart in VS-mode, and
translates two guest virtual pages that share their guest page tables (the code page,
then the data page: a *warm* miss).  Every PTE the hardware walker reads is recorded
by wrapping the MMU's PTE-read port: which stage's table it belongs to, and the address.
With a nested TLB and a page-walk cache switched on (vlab/isa/two_stage.py) the second
walk skips references; nothing here computes the count -- the walker makes it.

Simplified: the G-stage maps guest pages identically (as vlab/hardware/g_stage.py does),
so a guest-physical and a host-physical address are the same number here.
"""
from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure

from vlab.isa.machine import Machine
from vlab.isa.pagetable import FETCH, LOAD, SV32X4, PageTable, PoolAllocator
from vlab.isa.privilege import S
from vlab.lab.experiment import Experiment, toggle
from vlab.lab.style import new_figure, styled

CODE_VA, DATA_VA = 0x1000_0000, 0x1000_1000
CODE_PA, DATA_PA = 0x8020_0000, 0x8020_1000
VS_POOL, G_POOL = 0x8028_0000, 0x8038_0000
VMID = 1


@dataclass(frozen=True)
class WalkTrace:
    """The references of a cold walk (code page) and a warm one (data page)."""

    cold: tuple[tuple[str, int], ...]     # (stage 'G' or 'VS', PTE address) per reference
    warm: tuple[tuple[str, int], ...]
    nested_tlb: bool
    walk_cache: bool


def _machine(nested_tlb: bool, walk_cache: bool) -> Machine:
    m = Machine(ram_size=4 << 20)
    vs = PageTable(m.bus, PoolAllocator(VS_POOL, 4 * 4096))
    vs.map(CODE_VA, CODE_PA, 'rwxad')
    vs.map(DATA_VA, DATA_PA, 'rwxad')
    g = PageTable(m.bus, PoolAllocator(G_POOL, 8 * 4096), scheme=SV32X4)
    for page in (CODE_PA, DATA_PA, *range(VS_POOL, VS_POOL + 4 * 4096, 4096)):
        g.map(page, page, 'rwxuad')
    m.csr['vsatp'], m.csr['hgatp'] = vs.atp, g.atp | VMID << 22
    m.hart.set_priv(S)
    m.hart.set_virt(1)
    m.engine.context_changed()
    m.mmu.two_stage.nested_tlb, m.mmu.two_stage.walk_cache = nested_tlb, walk_cache
    return m


def walk_trace(nested_tlb: str = 'off', walk_cache: str = 'off') -> WalkTrace:
    """Model: record every PTE read of two 2D walks (switches 'on'/'off')."""
    m = _machine(nested_tlb == 'on', walk_cache == 'on')
    refs: list[tuple[str, int]] = []
    read = m.mmu._read_pte

    def recording_read(pa: int) -> int:
        refs.append(('G' if pa >= G_POOL else 'VS', pa))
        return read(pa)

    m.mmu._read_pte = recording_read
    m.mmu.translate(CODE_VA, FETCH)
    cold = tuple(refs)
    refs.clear()
    m.mmu.translate(DATA_VA, LOAD)
    return WalkTrace(cold, tuple(refs), nested_tlb == 'on', walk_cache == 'on')


COLORS = {'G': '#4477AA', 'VS': '#EE6677'}


@styled
def plot_walk(trace: WalkTrace) -> Figure:
    """Plot: one box per reference, in order, coloured by the stage whose table it reads."""
    fig, ax = new_figure('column_low')
    for row, (name, refs) in enumerate((('cold miss (code page)', trace.cold),
                                        ('warm miss (data page)', trace.warm))):
        y = 1 - row
        for i, (stage, pa) in enumerate(refs):
            ax.add_patch(_box(i, y, COLORS[stage]))
            ax.text(i + 0.45, y + 0.4, f'{stage}\n{pa & 0xFFFFF:05x}', ha='center',
                    va='center', fontsize=9, color='white')
        ax.text(-0.2, y + 0.4, f'{name}: {len(refs)}', ha='right', va='center', fontsize=9)
    ax.set_xlim(-4.2, 8.2)
    ax.set_ylim(-0.3, 1.9)
    ax.axis('off')
    ax.set_title('2D walk: G = a G-stage (Sv32x4) PTE read, VS = a guest (Sv32) PTE read')
    return fig


def _box(x, y, color):
    from matplotlib.patches import Rectangle
    return Rectangle((x, y), 0.9, 0.8, color=color)


def describe_walk(trace: WalkTrace) -> str:
    """Says the two counts and which caches were on."""
    on = [name for name, flag in (('the nested TLB', trace.nested_tlb),
                                  ('the page-walk cache', trace.walk_cache)) if flag]
    caches = ' and '.join(on) if on else 'no walk cache'
    return (f'With {caches}: the first TLB miss reads {len(trace.cold)} PTEs '
            f'({sum(s == "G" for s, _ in trace.cold)} of them G-stage), the second '
            f'{len(trace.warm)}. A native Sv32 walk reads 2.')


def walk_explorer() -> Experiment:
    """The experiment: the two switches of vlab/isa/two_stage.py."""
    return Experiment(walk_trace, plot_walk,
                      {'nested_tlb': toggle('nested TLB', ['off', 'on']),
                       'walk_cache': toggle('page-walk cache', ['off', 'on'])},
                      describe=describe_walk)


__all__ = ['WalkTrace', 'describe_walk', 'plot_walk', 'walk_explorer', 'walk_trace']
