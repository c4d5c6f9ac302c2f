"""Guest-physical memory and shadow page tables, piece by piece (no guest code runs)."""
import pytest

from vlab.hardware.guest_memory import GuestMemory
from vlab.hardware.shadow import ShadowPager
from vlab.host.memory import AccessFault
from vlab.isa.machine import Machine
from vlab.isa.pagetable import (
    FETCH,
    LOAD,
    PTE_A,
    PTE_D,
    PTE_R,
    PTE_U,
    PTE_W,
    PTE_X,
    STORE,
    PageTable,
    PoolAllocator,
    walk,
)
from vlab.isa.privilege import S, U
from vlab.isa.spec.nonvirtualizable import holes_with_switch, leaky_rows
from vlab.isa.spec.sensitivity import virtualization_holes

BASE, GUEST = 0x8000_0000, 1 << 20
SUM = 1 << 18


@pytest.fixture
def memory():
    machine = Machine(ram_size=2 << 20)
    return GuestMemory(machine.bus, GUEST, 1 << 20)


def physical_walk(memory, pa, access=LOAD):
    table = memory.physical_table
    return walk(lambda a: memory.bus.load(a, 4), table.root >> 12, pa, access, U)


def test_physical_map_is_guest_ram_the_clint_and_the_uart_as_user_pages(memory):
    for pa in (BASE, BASE + GUEST - 4, 0x0200_4000, 0x1000_0000):
        found = physical_walk(memory, pa, STORE)
        assert found.fault is None and found.pa == pa
    assert physical_walk(memory, BASE, FETCH).fault is None
    for pa in (memory.vmm_base, memory.vmm_base + 0x1000, 0x1000_1000):
        assert physical_walk(memory, pa).fault == 13      # the VMM's memory, the DMA block
                                                          # device: no mapping


def test_guest_reads_stop_at_guest_ram(memory):
    assert memory.read_u32(BASE) == 0
    with pytest.raises(AccessFault):
        memory.read_u32(memory.vmm_base)
    assert memory.host_address(memory.vmm_base) is None
    assert memory.device(0x0200_BFF8) == 'clint'


def guest_table(memory):
    """A guest Sv32 table in guest RAM: va 0x1000 -> an S page (R W, A=D=0), va 0x2000 ->
    a U page (R X), va 0x3000 -> a page outside guest memory."""
    table = PageTable(memory.bus, PoolAllocator(BASE + 0x10000, 0x4000))
    table.map(0x1000, BASE + 0x20000, PTE_R | PTE_W)
    table.map(0x2000, BASE + 0x21000, PTE_R | PTE_X | PTE_U)
    table.map(0x3000, memory.vmm_base, PTE_R | PTE_W)
    return table


def shadow_leaf(memory, shadow, satp, va, priv, mstatus=0):
    root = shadow.satp_for(satp, priv, mstatus) & 0x3FFFFF
    return walk(lambda a: memory.bus.load(a, 4), root, va, LOAD, U)


def test_hidden_fault_fills_a_user_leaf_and_sets_the_guest_a_bit(memory):
    table = guest_table(memory)
    shadow = ShadowPager(memory, memory.bus.ledger)
    found = shadow.resolve(0x1000, LOAD, S, table.atp, 0)
    assert found.kind == 'filled'
    leaf = shadow_leaf(memory, shadow, table.atp, 0x1000, S)
    assert leaf.pa == BASE + 0x20000 and leaf.pte & PTE_U
    assert not leaf.pte & PTE_W                    # not dirty yet: the first store faults
    assert table.lookup(0x1000).pte & (PTE_A | PTE_D) == PTE_A
    shadow.resolve(0x1000, STORE, S, table.atp, 0)
    assert table.lookup(0x1000).pte & PTE_D
    assert shadow_leaf(memory, shadow, table.atp, 0x1000, S).pte & PTE_W
    assert memory.bus.ledger.count('shadow_pt_update') == shadow.fills == 2


def test_privilege_is_checked_by_the_vmm_per_virtual_level(memory):
    table = guest_table(memory)
    shadow = ShadowPager(memory, memory.bus.ledger)
    assert shadow.resolve(0x1000, LOAD, U, table.atp, 0).cause == 13   # S page from U
    assert shadow.resolve(0x2000, FETCH, S, table.atp, 0).cause == 12  # U code from S
    assert shadow.resolve(0x2000, LOAD, S, table.atp, 0).cause == 13   # SUM = 0
    assert shadow.resolve(0x2000, LOAD, S, table.atp, SUM).kind == 'filled'
    assert shadow.resolve(0x2000, FETCH, U, table.atp, 0).kind == 'filled'
    assert shadow.true_faults == 3
    assert len(shadow.tables) == 3                 # U; S; S with SUM: one per view


def test_guest_table_pointing_outside_guest_memory(memory):
    table = guest_table(memory)
    shadow = ShadowPager(memory, memory.bus.ledger)
    found = shadow.resolve(0x3000, LOAD, S, table.atp, 0)
    assert (found.kind, found.gpa) == ('not-guest-memory', memory.vmm_base)


def test_drop_all_forgets_every_shadow(memory):
    table = guest_table(memory)
    drops = []
    shadow = ShadowPager(memory, memory.bus.ledger, on_drop=lambda: drops.append(1))
    shadow.resolve(0x1000, LOAD, S, table.atp, 0)
    shadow.drop_all()
    assert shadow.tables == {} and drops == [1] and shadow.drops == 1
    assert shadow_leaf(memory, shadow, table.atp, 0x1000, S).fault == 13   # empty again


def test_popek_goldberg_condition_fails_only_with_the_switch():
    numbers = Machine(ram_size=1 << 20).hart.csr.numbers()
    assert virtualization_holes(U, numbers) == []
    holes = {row.name for row in holes_with_switch(U, numbers)}
    assert holes == {name for name, _ in [(row.name, x86) for row, x86 in leaky_rows()]}
