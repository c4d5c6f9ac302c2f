"""Shadow paging with tracing: guest page-table pages write-protected through the
write-watch service, per-PTE invalidation, the shadow cache kept across satp writes."""
import pytest

from vlab.hardware.guest_memory import GuestMemory
from vlab.hardware.shadow import ShadowPager
from vlab.hardware.vm import VirtualMachine
from vlab.isa.machine import Machine
from vlab.isa.pagetable import LOAD, PTE_R, PTE_W, STORE, PageTable, PoolAllocator, walk
from vlab.isa.privilege import S, U
from vlab.lab.memvirt.workloads import guest

BASE = 0x8000_0000


@pytest.fixture
def setup():
    machine = Machine(ram_size=2 << 20)
    memory = GuestMemory(machine.bus, 1 << 20, 1 << 20)
    tables = [PageTable(memory.bus, PoolAllocator(BASE + 0x10000 + i * 0x4000, 0x4000))
              for i in range(2)]
    for i, table in enumerate(tables):
        table.map(0x1000, BASE + 0x20000 + i * 0x1000, PTE_R | PTE_W)
        table.map(0x2000, BASE + 0x30000 + i * 0x1000, PTE_R | PTE_W)
    return machine, memory, tables, ShadowPager(memory, machine.ledger, tracing=True)


def leaf(memory, shadow, satp, va):
    root = shadow.satp_for(satp, S, 0) & 0x3FFFFF
    return walk(lambda a: memory.bus.load(a, 4), root, va, LOAD, U)


def test_a_fill_write_protects_the_guest_table_pages_but_its_own_a_bit_is_no_trace(setup):
    machine, memory, (table, _), shadow = setup
    shadow.resolve(0x1000, LOAD, S, table.atp, 0)
    assert 'page-table' in memory.bus.watch.reasons(table.root)
    leaf_table = table.lookup(0x1000).pte_addr & ~0xFFF
    assert 'page-table' in memory.bus.watch.reasons(leaf_table)
    assert shadow.traced_writes == 0 and machine.ledger.count('vm_exit') == 0


def test_a_guest_pte_write_removes_only_the_shadow_leaf_built_from_it(setup):
    machine, memory, (table, _), shadow = setup
    for va in (0x1000, 0x2000):
        shadow.resolve(va, LOAD, S, table.atp, 0)
    memory.write_u32(table.lookup(0x1000).pte_addr, 0)           # the guest unmaps 0x1000
    assert shadow.traced_writes == 1
    assert machine.ledger.count('vm_exit') == 1
    assert leaf(memory, shadow, table.atp, 0x1000).fault is not None
    assert leaf(memory, shadow, table.atp, 0x2000).fault is None  # untouched: kept
    assert shadow.resolve(0x1000, LOAD, S, table.atp, 0).kind == 'guest-fault'


def test_satp_writes_and_fences_keep_the_cache_per_guest_satp(setup):
    _, memory, (a, b), shadow = setup
    shadow.resolve(0x1000, STORE, S, a.atp, 0)
    shadow.drop_all()                                            # the guest writes satp
    shadow.resolve(0x1000, LOAD, S, b.atp, 0)
    shadow.drop_all()                                            # ... and back
    found = leaf(memory, shadow, a.atp, 0x1000)
    assert found.fault is None and found.pa == BASE + 0x20000
    assert shadow.fills == 2


def test_without_tracing_a_satp_write_drops_every_shadow(setup):
    machine, memory, (a, _), _ = setup
    shadow = ShadowPager(memory, machine.ledger)
    shadow.resolve(0x1000, LOAD, S, a.atp, 0)
    shadow.drop_all()
    assert leaf(memory, shadow, a.atp, 0x1000).fault is not None


@pytest.mark.parametrize('engine', ['interp', 'dbt'])
def test_a_guest_changing_its_tables_runs_the_same_with_fewer_exits(engine):
    image = guest('pt-heavy', pages=16, rounds=8)
    runs = {}
    for tracing in (False, True):
        vm = VirtualMachine(image, cpu='trap-emulate', guest_ram=2 << 20, engine=engine)
        vm.vmm.shadow.tracing = tracing
        result = vm.run(1_000_000)
        assert (result.status, result.exit_code) == ('exit', 0)
        runs[tracing] = vm
    assert runs[True].vmm.shadow.traced_writes == 7 * 4   # 4 PTEs a round after the first
    assert runs[True].machine.hart.instret == runs[False].machine.hart.instret
    assert runs[True].vmm.shadow.fills < runs[False].vmm.shadow.fills / 2
    assert runs[True].ledger.count('vm_exit') < runs[False].ledger.count('vm_exit')
