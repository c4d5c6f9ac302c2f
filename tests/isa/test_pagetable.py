"""The page-table module: PTE format, the pure walk (Sv32 and Sv32x4), the builder."""
import pytest

from vlab.host.memory import AccessFault
from vlab.isa.pagetable import (
    FETCH,
    LOAD,
    PTE_A,
    PTE_R,
    PTE_U,
    PTE_V,
    PTE_W,
    PTE_X,
    STORE,
    SV32,
    SV32X4,
    PageTable,
    PoolAllocator,
    make_pte,
    pte_flags,
    pte_pa,
    walk,
)

S_MODE, U_MODE = 1, 0


class WordMemory:
    """A sparse physical memory of 32-bit words, counting the reads it serves."""

    def __init__(self, limit=1 << 34):
        self.words, self.limit, self.reads = {}, limit, []

    def load(self, pa, size):
        assert size == 4 and not pa & 3
        if pa >= self.limit:
            raise AccessFault(pa, 4, 'load', 'nothing is mapped there')
        self.reads.append(pa)
        return self.words.get(pa, 0)

    def store(self, pa, size, value):
        assert size == 4 and not pa & 3
        self.words[pa] = value

    def write_bytes(self, pa, data):
        for i in range(0, len(data), 4):
            self.words[pa + i] = int.from_bytes(data[i:i + 4], 'little')


def read(memory):
    return lambda pa: memory.load(pa, 4)


def test_pte_format_follows_figure_4_18():
    assert pte_flags('rwxu') == PTE_V | PTE_R | PTE_W | PTE_X | PTE_U == 0b11111
    pte = make_pte(0x8765_4000, pte_flags('r'))
    assert pte == (0x87654 << 10) | 0b11 and pte_pa(pte) == 0x8765_4000
    with pytest.raises(ValueError, match="unknown PTE flag 'q'"):
        pte_flags('rq')


def test_sv32_walk_reads_two_ptes_and_records_them():
    mem = WordMemory()
    pt = PageTable(mem, PoolAllocator(0x10_0000, 16 * 4096))
    leaf_addr = pt.map(0x0040_3000, 0x8000_5000, 'rwu')
    found = walk(read(mem), pt.root >> 12, 0x0040_3ABC, LOAD, U_MODE)
    assert found.fault is None and found.pa == 0x8000_5ABC and found.level == 0
    l1 = pt.root + 4 * 1                                   # VPN[1] = 1
    assert found.refs == (l1, leaf_addr) and found.pte_addr == leaf_addr
    assert not found.pte & PTE_A                           # pure: nothing written back


def test_megapage_walk_is_one_reference_and_keeps_the_offset():
    mem = WordMemory()
    pt = PageTable(mem, PoolAllocator(0x10_0000, 4 * 4096))
    pt.map(0x4000_0000, 0x8040_0000, 'rx', level=1)
    found = walk(read(mem), pt.root >> 12, 0x4012_3456, FETCH, S_MODE)
    assert (found.pa, found.level, len(found.refs)) == (0x8052_3456, 1, 1)


@pytest.mark.parametrize('pte,access,priv,cause', [
    (0, LOAD, U_MODE, 13),                                   # V = 0
    (make_pte(0x8000_0000, PTE_V | PTE_W), STORE, S_MODE, 15),   # W without R
    (make_pte(0x8000_0000, pte_flags('r')), STORE, S_MODE, 15),  # read-only
    (make_pte(0x8000_0000, pte_flags('rw')), LOAD, U_MODE, 13),  # S page from U
    (make_pte(0x8000_0000, pte_flags('rwxu')), FETCH, S_MODE, 12),  # S fetch of U page
    (make_pte(0x8000_0000, pte_flags('x')), LOAD, S_MODE, 13),   # X only, MXR = 0
])
def test_leaf_faults_carry_the_access_cause(pte, access, priv, cause):
    mem = WordMemory()
    pt = PageTable(mem, PoolAllocator(0x10_0000, 4 * 4096))
    slot = pt.map(0x1000, 0x8000_0000, 'r')
    mem.store(slot, 4, pte)
    assert walk(read(mem), pt.root >> 12, 0x1000, access, priv).fault == cause


def test_sum_and_mxr_relax_the_permission_check():
    mem = WordMemory()
    pt = PageTable(mem, PoolAllocator(0x10_0000, 4 * 4096))
    pt.map(0x1000, 0x8000_0000, 'ru')
    pt.map(0x2000, 0x8000_1000, 'x')
    root = pt.root >> 12
    assert walk(read(mem), root, 0x1000, LOAD, S_MODE).fault == 13
    assert walk(read(mem), root, 0x1000, LOAD, S_MODE, sum_=True).fault is None
    assert walk(read(mem), root, 0x2000, LOAD, S_MODE, mxr=True).fault is None


def test_pointer_at_level_0_and_misaligned_megapage_are_page_faults():
    mem = WordMemory()
    pt = PageTable(mem, PoolAllocator(0x10_0000, 4 * 4096))
    slot = pt.map(0x1000, 0x8000_0000, 'r')
    mem.store(slot, 4, make_pte(0x8000_0000, PTE_V))        # a pointer where a leaf must be
    assert walk(read(mem), pt.root >> 12, 0x1000, LOAD, S_MODE).fault == 13
    mem.store(pt.root + 4 * 0x100, 4, make_pte(0x8000_1000, pte_flags('r')))   # PPN[0] != 0
    assert walk(read(mem), pt.root >> 12, 0x4000_0000, LOAD, S_MODE).fault == 13


def test_an_unreadable_pte_is_an_access_fault_after_one_reference():
    found = walk(read(WordMemory(limit=0x1000)), 0x10, 0x1234, STORE, S_MODE)
    assert found.fault == 7 and found.refs == (0x10_000,)


def test_sv32x4_hand_built_two_level_table():
    """G-stage (priv. spec sec. 8.5.1): a 34-bit guest-physical address, a 16 KiB root
    indexed by GPA[33:22] (12 bits), U on every leaf, guest-page-fault causes."""
    mem = WordMemory()
    root, table = 0x20_0000, 0x20_4000                     # root 16 KiB aligned
    gpa = 0x3_4000_5ABC                                    # above 4 GiB
    vpn1 = gpa >> 22
    assert vpn1 == 0xD00 and vpn1 > 0x3FF                  # uses the 2 extra bits
    mem.store(root + 4 * vpn1, 4, make_pte(table, PTE_V))
    mem.store(table + 4 * 5, 4, make_pte(0x8000_7000, pte_flags('rwu')))
    found = walk(read(mem), root >> 12, gpa, LOAD, S_MODE, scheme=SV32X4)
    assert found.fault is None and found.pa == 0x8000_7ABC
    assert found.refs == (root + 4 * vpn1, table + 4 * 5)
    # the same walk as Sv32 would index the root with only 10 bits: nothing there
    assert walk(read(mem), root >> 12, gpa & 0xFFFF_FFFF, LOAD, S_MODE,
                scheme=SV32).fault == 13
    # a leaf without U is a guest-page fault even for an S-mode guest access
    mem.store(table + 4 * 5, 4, make_pte(0x8000_7000, pte_flags('rw')))
    assert walk(read(mem), root >> 12, gpa, STORE, S_MODE, scheme=SV32X4).fault == 23
    assert walk(read(mem), root >> 12, 1 << 34, FETCH, scheme=SV32X4).fault == 20


def test_sv32x4_builder_allocates_an_aligned_16k_root_and_requires_u():
    mem = WordMemory()
    alloc = PoolAllocator(0x10_1000, 16 * 4096)            # not 16 KiB aligned at start
    pt = PageTable(mem, alloc, scheme=SV32X4)
    assert pt.root % 0x4000 == 0 and SV32X4.root_size == 0x4000
    pt.map(0x2_0000_0000, 0x8000_0000, 'rwxu')
    assert walk(read(mem), pt.atp & 0x3FFFFF, 0x2_0000_0010, FETCH,
                scheme=SV32X4).pa == 0x8000_0010
    with pytest.raises(ValueError, match='must have U'):
        pt.map(0x2_0000_1000, 0x8000_1000, 'rw')


def test_builder_map_lookup_unmap_like_xv6():
    mem = WordMemory()
    pt = PageTable(mem, PoolAllocator(0x10_0000, 8 * 4096))
    pt.map_range(0x1_0000, 0x8000_0000, 0x2001, 'rw')      # 3 pages
    assert pt.tables == 2
    assert [pt.lookup(0x1_0000 + i * 4096).pa for i in range(3)] == \
        [0x8000_0000, 0x8000_1000, 0x8000_2000]
    assert pt.lookup(0x1_3000) is None and pt.lookup(0x4000_0000) is None
    old = pt.unmap(0x1_1000)
    assert old & PTE_W and pt.lookup(0x1_1000) is None
    assert pt.translate(0x1_1000).fault == 13 and pt.translate(0x1_2004).pa == 0x8000_2004
    assert pt.atp == (1 << 31) | (0x10_0000 >> 12) == pt.satp


def test_builder_rejects_bad_requests():
    mem = WordMemory()
    pt = PageTable(mem, PoolAllocator(0x10_0000, 2 * 4096))
    with pytest.raises(ValueError, match='aligned'):
        pt.map(0x40_1000, 0x8000_0000, 'r', level=1)
    with pytest.raises(ValueError, match='pointer'):
        pt.map(0x1000, 0x8000_0000, PTE_U)
    pt.map(0x40_0000, 0x8040_0000, 'r', level=1)
    with pytest.raises(ValueError, match='megapage'):
        pt.map(0x40_1000, 0x8000_0000, 'r')
    with pytest.raises(ValueError, match='wider'):
        pt.map(1 << 32, 0x8000_0000, 'r')
    pt.map(0x1000, 0x8000_0000, 'r')                        # uses the pool's last page
    with pytest.raises(MemoryError, match='pool exhausted'):
        pt.map(0x80_0000, 0x8000_0000, 'r')
    assert pt.lookup(0x40_0000).level == 1 and pt.lookup(0x1000).pte & PTE_R


def test_map_range_with_megapages_uses_4_mib_leaves_where_aligned_and_pages_elsewhere():
    mem = WordMemory()
    pt = PageTable(mem, PoolAllocator(0x10_0000, 16 * 4096))
    start = 0x8040_0000 - 2 * 4096                         # two pages before a 4 MiB line
    pt.map_range(start, start, 2 * 4096 + (4 << 20) + 4096, 'rwx', megapages=True)
    levels = {va: pt.lookup(va).level for va in
              (start, start + 4096, 0x8040_0000, 0x8040_0000 + (4 << 20) - 4096,
               0x8080_0000)}
    assert levels == {start: 0, start + 4096: 0, 0x8040_0000: 1,
                      0x8040_0000 + (4 << 20) - 4096: 1, 0x8080_0000: 0}
    assert pt.lookup(0x8080_1000) is None                  # the range ends there
    plain = PageTable(WordMemory(), PoolAllocator(0x10_0000, 16 * 4096))
    plain.map_range(0x8040_0000, 0x8040_0000, 4 << 20, 'rwx')
    assert plain.lookup(0x8040_0000).level == 0            # 4 KiB pages unless asked
