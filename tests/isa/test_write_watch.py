"""Every CPU writer reports to the write-watch service, on every engine: dirty logging
and page-table watches see interpreted, translated and paged stores, Python kernel
writes and the MMU's A/D updates."""
from conftest import RAM, code, exit_on_ecall, ins, li
from vlab.host.watch import PAGE_TABLE, dirty_pages
from vlab.isa.mmu import Sv32PageTables

BUF = RAM + 0x4_0000                      # 16 pages of data
CODE_VA, DATA_VA, DATA_PA, POOL = 0x1_0000, 0x2_0000, RAM + 0x2_0000, RAM + 0x8_0000


def store_loop(pages: int, stride: int = 0x1000) -> list[int]:
    """for (p = a1; n--; p += stride) *p = n; exit(0)."""
    return [*li('a2', pages), *li('a3', stride),
            ins('sw', 'a2', 0, 'a1'), ins('add', 'a1', 'a1', 'a3'),
            ins('addi', 'a2', 'a2', -1), ins('bne', 'a2', 'zero', -12),
            ins('addi', 'a0', 'zero', 0), ins('ecall')]


def bare(make, words):
    m = make()
    m.load_bytes(RAM, code(*words))
    m.set_trap_handler('M', exit_on_ecall)
    m.pc = RAM
    return m


def test_cpu_stores_mark_the_dirty_log(new_machine):
    m = bare(new_machine, store_loop(pages=100, stride=8))  # hot: the DBT translates it
    watch = m.bus.watch
    watch.enable_dirty_log('buf', BUF, 0x10000)
    m.regs[11] = BUF + 0x1FF0
    assert m.run(max_instructions=10_000).exit_code == 0
    written = {(BUF + 0x1FF0 + 8 * i - BUF) >> 12 for i in range(100)}
    assert dirty_pages(watch.get_dirty_log('buf')) == sorted(written) == [1, 2]
    m.pc, m.regs[11] = RAM, BUF + 0x5000                    # again: re-protected pages
    m.run(max_instructions=10_000)
    assert dirty_pages(watch.get_dirty_log('buf')) == [5]


def test_stores_after_protection_are_seen_even_when_the_page_was_fast(new_machine):
    m = bare(new_machine, store_loop(pages=70, stride=0))
    m.regs[11] = BUF
    m.run(max_instructions=10_000)                           # page written at full speed
    seen = []
    m.bus.watch.on_write(PAGE_TABLE, lambda pa, n: seen.append((pa, n)))
    m.bus.watch.watch(BUF, PAGE_TABLE)
    m.pc, m.regs[11] = RAM, BUF
    m.run(max_instructions=10_000)
    assert seen == [(BUF, 4)] * 70


def paged(make):
    m = make()
    pt = Sv32PageTables(m.bus, POOL)
    pt.map(CODE_VA, RAM, 'rxu')
    leaf = pt.map(DATA_VA, DATA_PA, 'rwu')
    m.load_bytes(RAM, code(*store_loop(pages=70, stride=0)))
    m.csr['satp'] = pt.satp
    m.pc, m.priv = CODE_VA, 'U'
    m.set_trap_handler('M', exit_on_ecall)
    m.regs[11] = DATA_VA + 0x10
    return m, leaf


def test_paged_stores_and_a_d_updates_mark_the_dirty_log(new_machine):
    m, leaf = paged(new_machine)
    watch = m.bus.watch
    watch.enable_dirty_log('data', DATA_PA, 0x1000)
    watch.enable_dirty_log('tables', POOL, 0x2000)
    assert m.run(max_instructions=10_000).exit_code == 0
    assert m.bus.load(DATA_PA + 0x10, 4) == 1
    assert dirty_pages(watch.get_dirty_log('data')) == [0]
    # the MMU set A (code page) and A+D (data page) in the level-0 table: a write
    assert dirty_pages(watch.get_dirty_log('tables')) == [(leaf - POOL) >> 12]


def test_page_table_watch_sees_paged_stores_after_the_tlb_filled(new_machine):
    m, _ = paged(new_machine)
    m.run(max_instructions=10_000)                           # software TLB has the page
    seen = []
    m.bus.watch.on_write(PAGE_TABLE, lambda pa, n: seen.append(pa))
    m.bus.watch.watch(DATA_PA, PAGE_TABLE)
    m.pc, m.priv, m.regs[11] = CODE_VA, 'U', DATA_VA + 0x10
    m.run(max_instructions=10_000)
    assert seen == [DATA_PA + 0x10] * 70


def test_python_kernel_writes_mark_the_dirty_log(new_machine):
    m, _ = paged(new_machine)
    m.bus.watch.enable_dirty_log('data', DATA_PA, 0x1000)

    def kernel(ctx):
        ctx.write(DATA_VA + 0x800, b'hi')
        ctx.exit(0)
    m.set_trap_handler('M', kernel)
    m.load_bytes(RAM, code(ins('ecall')))
    m.run(max_instructions=10)
    assert dirty_pages(m.bus.watch.get_dirty_log('data')) == [0]
