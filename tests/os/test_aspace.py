"""Address spaces: demand paging, copy-on-write fork, protections, cgroup charges,
the machine's page-table walker, and user programs faulting on a real machine."""
import random

import pytest

import vlab.isa.dbt  # noqa: F401 - registers the 'dbt' engine
from vlab.isa.asm.assembler import assemble
from vlab.isa.machine import Machine
from vlab.isa.pagetable import FETCH, LOAD, PAGE, PTE_V, PTE_W, PTE_X, STORE, U_MODE, walk
from vlab.os.aspace import (
    ACCESS_OF_CAUSE,
    PTE_COW,
    USER_TOP,
    AddressSpace,
    machine_fence,
)
from vlab.os.errno import EFAULT, SyscallError
from vlab.os.frames import FrameAllocator, OutOfMemory
from vlab.os.vma import PROT_NONE, PROT_READ, PROT_WRITE

TEXT, DATA = 0x1_0000, 0x2000_0000


class Account:
    """A memory cgroup stand-in: charges up to ``max`` pages."""

    def __init__(self, max_pages=1 << 30):
        self.max, self.current = max_pages, 0

    def try_charge(self, pages):
        if self.current + pages > self.max:
            raise OutOfMemory(self)
        self.current += pages

    def uncharge(self, pages):
        self.current -= pages
        assert self.current >= 0


def setup(ram=2 << 20, engine='interp'):
    machine = Machine(ram_size=ram, engine=engine)
    frames = FrameAllocator(machine.bus, machine.ram.base + (512 << 10),
                            machine.ram.base + ram)
    frames.fence = machine_fence(machine)
    return machine, frames


def space_with_data(frames, pages=4, account=None):
    space = AddressSpace(frames, account)
    space.map(DATA, pages * PAGE, readable=True, writable=True)
    return space


def test_pages_come_zeroed_on_first_touch():
    _, frames = setup()
    space = space_with_data(frames)
    tables = frames.used_frames                     # root table only
    assert space.rss_pages == 0 and tables == 1
    assert space.read(DATA + PAGE + 5, 3) == bytes(3)
    assert space.rss_pages == 1 and space.faults['demand_zero'] == 1
    assert space.handle_fault(DATA + 3 * PAGE, 'w') is True
    assert space.rss_pages == 2
    assert frames.used_frames == tables + 1 + 2     # + a level-0 table + two pages


def test_fork_shares_pages_copy_on_write():
    _, frames = setup()
    parent = space_with_data(frames)
    parent.write(DATA, b'parent')
    pa = parent.pages[DATA]
    child = parent.fork()
    assert child.pages[DATA] == pa and frames.refcount(pa) == 2
    for space in (parent, child):                   # W cleared, RSW bit set in both
        pte = space.pte(DATA)
        assert pte & PTE_V and pte & PTE_COW and not pte & PTE_W
    child.write(DATA, b'child!')
    assert parent.read(DATA, 6) == b'parent' and child.read(DATA, 6) == b'child!'
    assert child.pages[DATA] != pa and frames.refcount(pa) == 1
    assert child.faults['cow_copy'] == 1 == frames.ledger.count('page_copy')
    parent.write(DATA, b'PARENT')                   # the last reference: no copy
    assert parent.pages[DATA] == pa and parent.faults['cow_reuse'] == 1
    assert parent.pte(DATA) & PTE_W and not parent.pte(DATA) & PTE_COW
    child.destroy()
    parent.destroy()
    assert frames.used_frames == 0


def test_write_fault_of_a_forked_page_copies_and_untouched_pages_stay_shared():
    _, frames = setup()
    parent = space_with_data(frames)
    parent.write(DATA, bytes(range(256)) * 32)      # two pages
    child = parent.fork()
    assert child.handle_fault(DATA + PAGE + 8, 'w')
    assert child.pages[DATA] == parent.pages[DATA]
    assert child.pages[DATA + PAGE] != parent.pages[DATA + PAGE]
    assert child.read(DATA, 2 * PAGE) == parent.read(DATA, 2 * PAGE)


@pytest.mark.parametrize('prot, va, access', [
    (PROT_READ | PROT_WRITE, DATA - 1, 'r'),                     # below the area
    (PROT_READ | PROT_WRITE, DATA + 4 * PAGE, 'w'),              # above it
    (PROT_READ, DATA, 'w'),                                      # read-only
    (PROT_READ | PROT_WRITE, DATA, 'x'),                         # not executable
    (PROT_NONE, DATA, 'r'),
    (PROT_READ | PROT_WRITE, USER_TOP + 8, 'r'),
])
def test_true_faults_are_not_resolved(prot, va, access):
    _, frames = setup()
    space = space_with_data(frames)
    space.protect(DATA, DATA + 4 * PAGE, prot)
    assert space.handle_fault(va, access) is False
    assert space.rss_pages == 0


def test_bad_access_name_is_a_clear_error():
    _, frames = setup()
    with pytest.raises(ValueError, match="'r', 'w', 'x'"):
        AddressSpace(frames).handle_fault(DATA, 'write')
    assert ACCESS_OF_CAUSE == {12: 'x', 13: 'r', 15: 'w'}


def test_the_stack_grows_down_to_its_limit_and_keeps_a_guard_gap():
    _, frames = setup()
    space = AddressSpace(frames)
    top = USER_TOP
    space.map(top - (1 << 20), 1 << 20, kind='stack')
    below = top - (1 << 20) - 3 * PAGE + 8
    assert space.handle_fault(below, 'w') is True               # grown by three pages
    assert space.vma_list()[0].start == top - (1 << 20) - 3 * PAGE
    assert space.maps().rstrip().endswith('[stack]')
    space.write(below - 2 * PAGE, b'deep')                      # copy_to_user grows too
    assert space.handle_fault(top - (8 << 20) - 1, 'r') is False   # past 8 MiB
    space.map(top - (4 << 20) - PAGE, PAGE)                     # an area 3 MiB down
    assert space.handle_fault(top - (3 << 20) - 8, 'r') is False    # inside its guard gap
    assert space.handle_fault(top - (2 << 20), 'r') is True
    assert space.handle_fault(0x1000, 'r') is False             # no stack above: no growth


def test_kernel_write_checks_every_page_before_writing():
    _, frames = setup()
    space = space_with_data(frames, pages=2)
    space.protect(DATA + PAGE, DATA + 2 * PAGE, PROT_READ)
    with pytest.raises(SyscallError) as info:
        space.write(DATA + PAGE - 2, b'abcd')
    assert info.value.errno == EFAULT and 'not writable' in info.value.why
    assert space.read(DATA + PAGE - 2, 4) == bytes(4)
    assert space.writable_prefix(DATA + 10, 2 * PAGE) == PAGE - 10
    with pytest.raises(SyscallError, match='not mapped'):
        space.read(DATA - 1, 2)
    space.load(DATA + PAGE, b'loader')              # the loader ignores protection
    assert space.read(DATA + PAGE, 6) == b'loader'


def test_kernel_write_breaks_copy_on_write():
    _, frames = setup()
    parent = space_with_data(frames)
    parent.write(DATA, b'one')
    child = parent.fork()
    child.write(DATA + 1, b'X')                     # copy_to_user into a COW page
    assert (parent.read(DATA, 3), child.read(DATA, 3)) == (b'one', b'oXe')


def test_prot_none_keeps_the_frame_and_mprotect_restores_it():
    _, frames = setup()
    space = space_with_data(frames)
    space.write(DATA, b'kept')
    pa = space.pages[DATA]
    space.protect(DATA, DATA + PAGE, PROT_NONE)
    assert not space.pte(DATA) & PTE_V and space.pages[DATA] == pa
    assert space.table.translate(DATA, LOAD).fault is not None
    with pytest.raises(SyscallError):
        space.read(DATA, 4)
    space.protect(DATA, DATA + PAGE, PROT_READ)
    assert space.read(DATA, 4) == b'kept' and not space.pte(DATA) & PTE_W
    assert [v.perms for v in space.vma_list()] == ['r--p', 'rw-p']


def test_unmap_frees_the_frames_and_later_accesses_fault():
    _, frames = setup()
    space = space_with_data(frames)
    space.write(DATA, bytes(4 * PAGE))
    before = frames.used_frames
    space.unmap(DATA + PAGE, DATA + 3 * PAGE)
    assert frames.used_frames == before - 2 and space.rss_pages == 2
    assert space.handle_fault(DATA + PAGE, 'r') is False
    assert space.maps() == ('20000000-20001000 rw-p 00000000 00:00 0\n'
                            '20003000-20004000 rw-p 00000000 00:00 0\n')
    space.map(TEXT, PAGE, executable=True, writable=False)
    space.exe = '/bin/sh'
    line = space.fork().maps().splitlines()[0]
    assert line.startswith('00010000-00011000 r-xp 00000000 00:00 0 ')
    assert line.endswith(' /bin/sh') and line.index('/bin/sh') == 50


def test_memory_cgroup_charges_pages_and_tables_and_oom():
    _, frames = setup()
    acct = Account(max_pages=4)
    space = space_with_data(frames, pages=8, account=acct)
    assert acct.current == 1                        # the root table
    space.write(DATA, b'x' * (2 * PAGE))            # a level-0 table + two pages
    assert acct.current == 4
    with pytest.raises(OutOfMemory) as info:
        space.handle_fault(DATA + 5 * PAGE, 'w')
    assert info.value.account is acct
    other = Account()
    child = space.fork(account=other)               # child tables charged to the child
    child.write(DATA, b'y')                         # the copy too
    assert (acct.current, other.current) == (4, 3)
    space.destroy()
    assert acct.current == 1                        # the shared page, charged to acct,
    child.destroy()                                 # is freed by the child at last
    assert (acct.current, other.current, frames.used_frames) == (0, 0, 0)


def test_out_of_memory_in_a_fault_leaks_no_frame():
    _, frames = setup()
    acct = Account(max_pages=2)                     # the root and one more
    space = space_with_data(frames, account=acct)
    with pytest.raises(OutOfMemory):
        space.handle_fault(DATA, 'w')               # the table fits, the page not
    assert space.rss_pages == 0
    space.destroy()
    assert (frames.used_frames, acct.current) == (0, 0)


def test_fork_out_of_memory_leaves_nothing_of_the_child():
    _, frames = setup()
    parent = space_with_data(frames)
    parent.write(DATA, b'data')
    used = frames.used_frames
    with pytest.raises(OutOfMemory):
        parent.fork(account=Account(max_pages=1))   # root fits, the level-0 table not
    assert frames.used_frames == used and frames.refcount(parent.pages[DATA]) == 1
    parent.write(DATA, b'DATA')                     # COW mark left over: reused
    assert parent.read(DATA, 4) == b'DATA'


def test_destroy_is_idempotent_and_the_space_is_empty_after():
    _, frames = setup()
    space = space_with_data(frames)
    space.write(DATA, b'z')
    space.destroy()
    space.destroy()
    assert frames.used_frames == 0 and space.rss_pages == 0
    assert space.handle_fault(DATA, 'r') is False
    with pytest.raises(SyscallError):
        space.read(DATA, 1)


# ---------------------------------------------------------------- against the hardware
def check_against_walker(machine, space):
    """Every page the VMAs allow: the machine's Sv32 walk agrees with the space."""
    read = lambda pa: machine.bus.load(pa, 4)   # noqa: E731
    root = space.satp & 0x3FFFFF
    for area in space.vmas:
        for page in range(area.start, area.end, PAGE):
            load = walk(read, root, page + 12, LOAD, U_MODE)
            store = walk(read, root, page + 12, STORE, U_MODE)
            fetch = walk(read, root, page + 12, FETCH, U_MODE)
            pa = space.pages.get(page)
            readable = pa is not None and area.prot & (PROT_READ | PROT_WRITE)
            assert (load.fault is None) == bool(readable), hex(page)
            if readable:
                assert load.pa == pa + 12
                assert machine.bus.read_bytes(pa, PAGE) == space.read(page, PAGE)
                cow = space.pte(page) & PTE_COW
                assert (store.fault is None) == bool(area.prot & PROT_WRITE and not cow)
                assert (fetch.fault is None) == bool(space.pte(page) & PTE_X)
    for va in range(0, USER_TOP, 1 << 22):              # nothing mapped outside the VMAs
        for off in (0, 0x3FF000):
            if space.vmas.find(va + off) is None:
                assert walk(read, root, va + off, LOAD, U_MODE).fault is not None


def test_the_machines_walker_agrees_with_the_space():
    machine, frames = setup()
    rng = random.Random(7)
    space = space_with_data(frames, pages=6)
    space.map(TEXT, 2 * PAGE, readable=True, writable=False, executable=True)
    space.load(TEXT, bytes(range(256)) * 16)
    for _ in range(10):
        space.write(DATA + rng.randrange(6 * PAGE - 8), rng.randbytes(8))
    child = space.fork()
    child.write(DATA + 100, b'c')
    space.protect(DATA + 4 * PAGE, DATA + 5 * PAGE, PROT_READ)
    for s in (space, child):
        check_against_walker(machine, s)
    machine.csr['satp'] = child.satp
    machine.priv = 'S'                                  # the MMU takes the new satp
    assert machine.read_virtual(DATA + 100, 1, priv='U') == b'c'
    assert machine.read_virtual(TEXT + 255, 2, priv='U') == bytes([255, 0])


# ---------------------------------------------------------------- differential
@pytest.mark.parametrize('seed', [2026, 7, 99])
def test_random_fork_write_exit_against_a_model(seed):
    """Random forks, writes, reads, protection changes, unmaps, discards and exits of a
    process family, checked after every step against a pure-Python model: per process,
    each page's protection and contents."""
    machine, frames = setup(ram=4 << 20)
    rng = random.Random(seed)
    pages = 6
    procs = {0: space_with_data(frames, pages)}
    prot = {0: ['rw'] * pages}                          # pid -> per page: rw, r or None
    model = {0: {}}                                     # pid -> {page index: bytearray}
    next_pid = 1
    for step in range(400):
        op = rng.choice(['write'] * 5 + ['read'] * 3 +
                        ['fork', 'exit', 'discard', 'protect', 'unmap', 'remap'])
        pid = rng.choice(sorted(procs))
        space, mem, perms = procs[pid], model[pid], prot[pid]
        index = rng.randrange(pages)
        va = DATA + index * PAGE
        where = f'step {step}: pid {pid} page {index} ({perms[index]})'
        if op == 'write':
            off = rng.randrange(PAGE - 16)
            data = rng.randbytes(rng.randrange(1, 16))
            if perms[index] != 'rw':
                with pytest.raises(SyscallError):
                    space.write(va + off, data)
                assert space.handle_fault(va + off, 'w') is False, where
            else:
                space.write(va + off, data)
                page = mem.setdefault(index, bytearray(PAGE))
                page[off:off + len(data)] = data
        elif op == 'read':
            if perms[index] is None:
                assert space.handle_fault(va, 'r') is False, where
            else:
                assert space.read(va, PAGE) == bytes(mem.get(index, PAGE)), where
        elif op == 'fork' and len(procs) < 6:
            procs[next_pid] = space.fork()
            model[next_pid] = {i: bytearray(p) for i, p in mem.items()}
            prot[next_pid] = list(perms)
            next_pid += 1
        elif op == 'exit' and len(procs) > 1:
            space.destroy()
            del procs[pid], model[pid], prot[pid]
        elif op == 'discard' and perms[index] is not None:
            space.discard(va, va + PAGE)
            mem.pop(index, None)
        elif op == 'protect' and perms[index] is not None:
            perms[index] = rng.choice(['r', 'rw'])
            space.protect(va, va + PAGE, PROT_READ | (PROT_WRITE if perms[index] == 'rw'
                                                      else 0))
        elif op == 'unmap':
            space.unmap(va, va + PAGE)
            perms[index] = None
            mem.pop(index, None)
        elif op == 'remap' and perms[index] is None:
            space.map(va, PAGE, readable=True, writable=True)
            perms[index] = 'rw'
        # the invariant: each frame's count is the number of page tables mapping it
        counts = {}
        for s in procs.values():
            for pa in s.pages.values():
                counts[pa] = counts.get(pa, 0) + 1
        assert all(frames.refcount(pa) == n for pa, n in counts.items())
        tables = sum(len(s.table_frames) for s in procs.values())
        assert frames.used_frames == len(counts) + tables
        if step % 50 == 0:
            check_against_walker(machine, next(iter(procs.values())))
    for space in procs.values():
        space.destroy()
    assert frames.used_frames == 0


# ---------------------------------------------------------------- user programs
PROGRAM = """
# a0 = what to do; the data word lives at DATA (lazily mapped)
store:  li t0, 0x20000000
        li t2, 0x20001000        # a second page
        sw a1, 0(t0)
        sw a1, 0(t2)
        mv a0, a1
        ecall
loadit: li t0, 0x20000000
        li t2, 0x20001000
        lw a0, 0(t0)
        lw t1, 0(t2)
        bne a0, t1, bad
        ecall
bad:    li a0, -1
        ecall
"""


class Kernel:
    """Just enough kernel: ecall ends the run with a0; page faults go to the space."""

    def __init__(self, machine):
        self.space = None
        self.faults = 0
        machine.traps.register('M', self.trap, name='mm-test')

    def trap(self, ctx):
        if ctx.cause == 8:
            return ctx.exit(ctx.reg(10))
        access = ACCESS_OF_CAUSE.get(ctx.cause)
        if access and self.space.handle_fault(ctx.tval, access):
            self.faults += 1
            return ctx.resume(ctx.epc)
        return ctx.halt(f'SIGSEGV: {ctx.name} at {ctx.epc:#x} tval={ctx.tval:#x}')


def run_in(machine, kernel, space, pc, **regs):
    kernel.space = space
    machine.csr['satp'] = space.satp
    machine.priv = 'U'                                  # context_changed: new satp
    machine.pc = pc
    for n, v in regs.items():
        machine.regs[{'a1': 11}[n]] = v
    result = machine.run(max_instructions=10_000)
    assert result.status == 'exit', result
    return result.exit_code


@pytest.mark.parametrize('engine', ['interp', 'dbt', 'dbt-eager'])
def test_user_programs_demand_fault_and_copy_on_write_on_the_machine(engine):
    machine, frames = setup(engine=engine)
    kernel = Kernel(machine)
    program = assemble(PROGRAM, text_base=TEXT)
    parent = space_with_data(frames, pages=2)
    parent.map(TEXT, len(program.text), readable=True, writable=False, executable=True)
    parent.load(TEXT, program.text)
    store, load = program.symbols['store'], program.symbols['loadit']
    assert run_in(machine, kernel, parent, store, a1=111) == 111
    assert kernel.faults == 2                           # two demand-zero pages
    child = parent.fork()
    # the parent runs on without a satp change: its TLB had the pages writable, so
    # fork's fence is what makes this store fault and copy
    machine.pc = store
    machine.regs[11] = 333
    assert machine.run(max_instructions=10_000).exit_code == 333
    assert parent.faults['cow_reuse'] + parent.faults['cow_copy'] == 2
    assert run_in(machine, kernel, child, load) == 111
    assert run_in(machine, kernel, parent, load) == 333
    assert run_in(machine, kernel, child, store, a1=222) == 222
    assert run_in(machine, kernel, child, load) == 222
    assert run_in(machine, kernel, parent, load) == 333
    child.destroy()
    parent.destroy()
    assert frames.used_frames == 0


@pytest.mark.parametrize('engine', ['interp', 'dbt'])
def test_a_new_space_on_a_dead_spaces_root_does_not_run_its_cached_code(engine):
    """The root frame names the context predecoded code is cached under: a space that
    gets the root of a dead one (same satp) must not run the dead one's code."""
    machine, frames = setup(engine=engine)
    kernel = Kernel(machine)
    spaces = {}
    for name, value in (('old', 1), ('new', 2)):
        program = assemble(f'li a0, {value}\necall\n', text_base=TEXT)
        if name == 'new':                           # the old one's root is reused
            held = frames.alloc()                   # (its level-0 table, freed last)
        space = spaces[name] = AddressSpace(frames)
        space.map(TEXT, PAGE, readable=True, writable=False, executable=True)
        space.load(TEXT, program.text)
        assert run_in(machine, kernel, space, TEXT) == value
        if name == 'old':
            survivor = space.fork()                 # keeps the code frame allocated,
            space.destroy()                         # so nothing rewrites it
            assert space.table.root in frames.retired_roots
    assert spaces['new'].satp == spaces['old'].satp
    assert not frames.retired_roots                 # the reuse fenced
    survivor.destroy()
    spaces['new'].destroy()
    frames.unref(held)


# ---------------------------------------------------------------- under the kernel
FORK_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

int global = 1;

int main(void) {
    int *heap = malloc(64 * 1024);
    for (int i = 0; i < 16384; i++) heap[i] = i;
    int local = 3;
    pid_t pid = fork();
    if (pid == 0) {                    /* data, stack and heap: each copied on write */
        global = 100;
        local = 300;
        for (int i = 0; i < 16384; i++) heap[i] = -i;
        printf("child %d %d %d\n", global, local, heap[5]);
        exit(7);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    printf("parent %d %d %d %d\n", global, local, heap[5], WEXITSTATUS(status));
    return 0;
}
"""


@pytest.mark.parametrize('engine', ['interp', 'dbt'])
def test_a_musl_program_forks_copy_on_write_under_the_kernel(tmp_path, engine):
    from vlab.isa.runtime import ToolchainMissing, compile_c
    from vlab.os.boot import run_program
    source = tmp_path / 'fork.c'
    source.write_text(FORK_C)
    try:
        elf = compile_c([source], tmp_path / 'fork.elf', libc='musl')
    except ToolchainMissing as missing:
        pytest.skip(str(missing))
    done = run_program(elf, paging=True, engine=engine, ram_size=16 << 20)
    assert done.stdout == b'child 100 300 -5\nparent 1 3 5 7\n', (done.result, done.stderr)
    assert done.result.exit_code == 0
    assert done.booted.machine.ledger.count('page_copy') >= 16      # the 64 KiB heap
    assert done.booted.kernel.frames.used_frames == 0               # all given back
