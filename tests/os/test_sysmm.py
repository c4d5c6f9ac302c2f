"""The memory system calls, with Linux's semantics (man 2 brk, mmap, munmap, mprotect,
madvise, mremap), through the handlers' table."""
import random
from types import SimpleNamespace

import pytest

from vlab.isa.machine import Machine
from vlab.os.aspace import MMAP_MIN, AddressSpace, machine_fence
from vlab.os.errno import EACCES, EBADF, EEXIST, EFAULT, EINVAL, ENODEV, ENOMEM, EPERM, SyscallError
from vlab.os.frames import FrameAllocator
from vlab.os.sysmm import CALLS
from vlab.os.unistd import NUMBERS

PAGE = 4096
PROT_R, PROT_W, PROT_X = 1, 2, 4
RW = PROT_R | PROT_W
MAP_SHARED, MAP_PRIVATE, MAP_FIXED, MAP_ANON = 0x01, 0x02, 0x10, 0x20
MAP_POPULATE, MAP_FIXED_NOREPLACE = 0x8000, 0x100000
PRIVATE_ANON = MAP_PRIVATE | MAP_ANON
HEAP = 0x0004_0000


@pytest.fixture
def proc():
    machine = Machine(ram_size=2 << 20)
    frames = FrameAllocator(machine.bus, machine.ram.base + (512 << 10),
                            machine.ram.base + (2 << 20))
    frames.fence = machine_fence(machine)
    space = AddressSpace(frames)
    space.set_heap(HEAP, HEAP + 64 * PAGE)
    return SimpleNamespace(space=space, frames=frames)


def call(proc, name, *args):
    """Run one handler as the kernel's dispatch does: -errno on failure."""
    args = (*args, 0, 0, 0, 0, 0, 0)[:6]
    try:
        return CALLS[name](None, proc, *args)
    except SyscallError as error:
        return -error.errno


def test_the_table_names_are_rv32_system_calls():
    assert set(CALLS) <= set(NUMBERS)
    assert {'brk', 'mmap2', 'munmap', 'mprotect', 'madvise', 'mremap'} == set(CALLS)


# ---------------------------------------------------------------- brk
def test_brk_grows_with_zeroed_memory_and_shrinks(proc):
    space = proc.space
    assert call(proc, 'brk', 0) == HEAP                        # a query
    assert call(proc, 'brk', HEAP + 5000) == HEAP + 5000
    space.write(HEAP + 4999, b'x')                             # usable up to the break
    assert space.read(HEAP, 16) == bytes(16)
    with pytest.raises(SyscallError):                          # the page after is not
        space.write(HEAP + 2 * PAGE, b'x')
    assert space.rss_pages == 2
    assert call(proc, 'brk', HEAP + 10) == HEAP + 10           # shrink: page 2 freed
    assert space.rss_pages == 1
    assert call(proc, 'brk', HEAP + 5000) == HEAP + 5000
    assert space.read(HEAP + 4999, 1) == b'\0'                 # new pages are zero
    assert [v.kind for v in space.vma_list()] == ['heap']


def test_brk_refusals_return_the_old_break(proc):
    assert call(proc, 'brk', HEAP - PAGE) == HEAP              # below the start
    assert call(proc, 'brk', HEAP + 65 * PAGE) == HEAP         # past the limit
    blocker = HEAP + 2 * PAGE
    assert call(proc, 'mmap2', blocker, PAGE, RW, PRIVATE_ANON | MAP_FIXED) == blocker
    assert call(proc, 'brk', HEAP + 3 * PAGE) == HEAP          # would run into a mapping
    assert call(proc, 'brk', HEAP + 2 * PAGE) == HEAP + 2 * PAGE


# ---------------------------------------------------------------- mmap2
def test_anonymous_mmap_is_lazy_top_down_and_zeroed(proc):
    space = proc.space
    a = call(proc, 'mmap2', 0, 3 * PAGE, RW, PRIVATE_ANON, -1, 0)
    b = call(proc, 'mmap2', 0, PAGE, RW, PRIVATE_ANON, -1, 0)
    assert a % PAGE == 0 and MMAP_MIN <= a and a + 3 * PAGE <= space.mmap_top
    assert b == a - PAGE                                       # the next gap down
    assert space.rss_pages == 0
    assert space.read(a + 2 * PAGE, 8) == bytes(8) and space.rss_pages == 1
    assert call(proc, 'munmap', a, 3 * PAGE) == 0
    assert call(proc, 'mmap2', 0, PAGE, RW, PRIVATE_ANON, -1, 0) == a + 2 * PAGE


def test_hint_is_used_when_free(proc):
    hint = 0x3000_0000
    assert call(proc, 'mmap2', hint, PAGE, RW, PRIVATE_ANON, -1, 0) == hint
    assert call(proc, 'mmap2', hint, PAGE, RW, PRIVATE_ANON, -1, 0) != hint


def test_map_fixed_replaces_and_noreplace_refuses(proc):
    space = proc.space
    at = 0x3000_0000
    assert call(proc, 'mmap2', at, 2 * PAGE, RW, PRIVATE_ANON | MAP_FIXED, -1, 0) == at
    space.write(at, b'old')
    assert call(proc, 'mmap2', at, PAGE, PROT_R, PRIVATE_ANON | MAP_FIXED) == at
    assert space.read(at, 3) == bytes(3)                       # replaced: fresh zeros
    assert [v.perms for v in space.vma_list()] == ['r--p', 'rw-p']
    assert call(proc, 'mmap2', at + PAGE, PAGE, RW, PRIVATE_ANON | MAP_FIXED_NOREPLACE) \
        == -EEXIST


@pytest.mark.parametrize('args, errno', [
    ((0, 0, RW, PRIVATE_ANON), EINVAL),                          # length 0
    ((0, PAGE, RW, MAP_ANON), EINVAL),                           # neither private nor shared
    ((0, PAGE, 8, PRIVATE_ANON), EINVAL),                        # unknown protection
    ((0x3000_0010, PAGE, RW, PRIVATE_ANON | MAP_FIXED), EINVAL),  # unaligned fixed
    ((0, PAGE, RW, MAP_PRIVATE, 3, 0), EBADF),                   # no file there
    ((0, 1 << 30, RW, PRIVATE_ANON), ENOMEM),                    # more than all of memory
    ((0x1000, PAGE, RW, PRIVATE_ANON | MAP_FIXED), EPERM),       # below mmap_min_addr
    ((0xBFFF_F000, 2 * PAGE, RW, PRIVATE_ANON | MAP_FIXED), ENOMEM),  # past user space
])
def test_mmap_errors(proc, args, errno):
    assert call(proc, 'mmap2', *args) == -errno
    assert len(proc.space.vmas) == 0


class RegularFile:
    """An open regular file as the VFS's open-file protocol shows it."""

    def __init__(self, data, readable=True, mode=0o100644):
        self.data, self.readable, self.mode, self.offset = data, readable, mode, 0

    def stat(self):
        return SimpleNamespace(mode=self.mode)

    def pread(self, offset, count):
        return self.data[offset:offset + count]


class Files:
    def __init__(self, **by_fd):
        self.by_fd = by_fd

    def get(self, fd):
        if f'fd{fd}' not in self.by_fd:
            raise SyscallError(EBADF, f'file descriptor {fd} is not open')
        return self.by_fd[f'fd{fd}']


def test_a_private_file_mapping_is_a_copy_of_the_file(proc):
    content = bytes(range(256)) * 40                                 # 10240 bytes
    proc.files = Files(fd3=RegularFile(content))
    at = call(proc, 'mmap2', 0, 3 * PAGE, PROT_R, MAP_PRIVATE, 3, 1)   # from page 1
    assert at > 0
    space = proc.space
    assert space.read(at, 10240 - PAGE) == content[PAGE:]
    assert space.read(at + 10240 - PAGE, 100) == bytes(100)            # past the end
    assert space.writable_prefix(at, 10) == 0                         # PROT_READ kept
    assert call(proc, 'mprotect', at, PAGE, RW) == 0
    space.write(at, b'mine')                                          # private
    assert proc.files.get(3).data == content


@pytest.mark.parametrize('files, fd, flags, errno', [
    (Files(), 7, MAP_PRIVATE, EBADF),
    (Files(fd3=RegularFile(b'x', readable=False)), 3, MAP_PRIVATE, EACCES),
    (Files(fd3=RegularFile(b'x', mode=0o020666)), 3, MAP_PRIVATE, ENODEV),   # a device
    (Files(fd3=RegularFile(b'x')), 3, MAP_SHARED, ENODEV),
])
def test_file_mapping_errors(proc, files, fd, flags, errno):
    proc.files = files
    assert call(proc, 'mmap2', 0, PAGE, PROT_R, flags, fd, 0) == -errno
    assert len(proc.space.vmas) == 0
    assert call(proc, 'mmap2', 0, PAGE, PROT_R, flags | MAP_ANON, fd, 0) > 0  # fd ignored


def test_shared_anonymous_memory_stays_shared_across_fork(proc):
    space = proc.space
    shared = call(proc, 'mmap2', 0, PAGE, RW, MAP_SHARED | MAP_ANON, -1, 0)
    private = call(proc, 'mmap2', 0, PAGE, RW, PRIVATE_ANON | MAP_POPULATE, -1, 0)
    assert space.rss_pages == 2                                # both populated now
    child = space.fork()
    child.write(shared, b'to parent')
    child.write(private, b'mine')
    assert space.read(shared, 9) == b'to parent'
    assert space.read(private, 4) == bytes(4)
    assert [v.perms for v in space.vma_list()] == ['rw-p', 'rw-s']


def test_shared_mapping_out_of_memory_is_undone_and_populate_is_best_effort(proc):
    space, frames = proc.space, proc.frames
    free = frames.free_frames
    too_many = frames.total_frames * PAGE           # passes the overcommit check only
    assert call(proc, 'mmap2', 0, too_many, RW, MAP_SHARED | MAP_ANON) == -ENOMEM
    assert len(space.vmas) == 0 and space.rss_pages == 0
    assert frames.used_frames == len(space.table_frames)    # page tables only
    at = call(proc, 'mmap2', 0, too_many, RW, PRIVATE_ANON | MAP_POPULATE)
    assert at > 0 and space.vm_size == too_many and frames.free_frames == 0
    space.munmap(at, too_many)
    assert frames.used_frames == len(space.table_frames) < frames.total_frames - free + 3


# ---------------------------------------------------------------- munmap, mprotect
def test_munmap_frees_and_checks_its_arguments(proc):
    space = proc.space
    a = call(proc, 'mmap2', 0, 4 * PAGE, RW, PRIVATE_ANON | MAP_POPULATE, -1, 0)
    used = proc.frames.used_frames
    assert call(proc, 'munmap', a + PAGE, 2 * PAGE - 100) == 0    # length rounds up
    assert proc.frames.used_frames == used - 2
    assert call(proc, 'munmap', a + 1, PAGE) == -EINVAL
    assert call(proc, 'munmap', a, 0) == -EINVAL
    assert call(proc, 'munmap', 0x5000_0000, PAGE) == 0            # nothing there: fine
    with pytest.raises(SyscallError) as info:
        space.read(a + PAGE, 1)
    assert info.value.errno == EFAULT


def test_mprotect_read_only_then_back(proc):
    space = proc.space
    a = call(proc, 'mmap2', 0, 2 * PAGE, RW, PRIVATE_ANON, -1, 0)
    space.write(a, b'data')
    assert call(proc, 'mprotect', a, PAGE, PROT_R) == 0
    assert space.handle_fault(a, 'w') is False
    assert space.writable_prefix(a, 10) == 0
    assert space.read(a, 4) == b'data'
    assert call(proc, 'mprotect', a, PAGE, RW | PROT_X) == 0
    space.write(a, b'DATA')
    assert space.handle_fault(a, 'x') is True
    assert call(proc, 'mprotect', a, 3 * PAGE, PROT_R) == -ENOMEM  # runs past the end
    assert call(proc, 'mprotect', a + 2, PAGE, PROT_R) == -EINVAL
    assert call(proc, 'mprotect', a, PAGE, 0x10) == -EINVAL
    assert [v.perms for v in space.vma_list()] == ['rwxp', 'rw-p']


# ---------------------------------------------------------------- madvise
def test_madvise_dontneed_drops_pages_and_zero_fills(proc):
    space = proc.space
    a = call(proc, 'mmap2', 0, 2 * PAGE, RW, PRIVATE_ANON, -1, 0)
    space.write(a, b'x' * (2 * PAGE))
    used = proc.frames.used_frames
    assert call(proc, 'madvise', a, PAGE, 4) == 0                   # MADV_DONTNEED
    assert proc.frames.used_frames == used - 1
    assert space.read(a, 2) == bytes(2) and space.read(a + PAGE, 1) == b'x'
    assert call(proc, 'madvise', a, PAGE, 3) == 0                   # WILLNEED: a hint
    assert call(proc, 'madvise', a, PAGE, 99) == -EINVAL
    assert call(proc, 'madvise', a, 3 * PAGE, 4) == -ENOMEM


# ---------------------------------------------------------------- mremap
def test_mremap_shrinks_grows_in_place_and_moves_frames(proc):
    space = proc.space
    a = call(proc, 'mmap2', 0, 2 * PAGE, RW, PRIVATE_ANON, -1, 0)
    space.write(a, b'head')
    space.write(a + PAGE, b'tail')
    assert call(proc, 'mremap', a, 2 * PAGE, PAGE, 0, 0) == a       # shrink
    assert space.writable_prefix(a, 2 * PAGE) == PAGE
    assert call(proc, 'mremap', a, PAGE, 3 * PAGE, 0, 0) == a       # grow in place
    assert space.read(a + PAGE, 4) == bytes(4) and space.read(a, 4) == b'head'
    call(proc, 'mmap2', a + 3 * PAGE, PAGE, RW, PRIVATE_ANON | MAP_FIXED)   # a wall
    assert call(proc, 'mremap', a, 3 * PAGE, 4 * PAGE, 0, 0) == -ENOMEM
    frame = space.pages[a]
    b = call(proc, 'mremap', a, 3 * PAGE, 4 * PAGE, 1, 0)          # MREMAP_MAYMOVE
    assert b != a and space.read(b, 4) == b'head' and space.pages[b] == frame
    assert space.vmas.find(a) is None
    fixed = 0x3000_0000
    assert call(proc, 'mremap', b, 4 * PAGE, PAGE, 3, fixed) == fixed  # MAYMOVE|FIXED
    assert space.read(fixed, 4) == b'head' and space.vmas.find(b) is None


@pytest.mark.parametrize('args, errno', [
    ((0x3000_0001, PAGE, PAGE, 0, 0), EINVAL),          # unaligned
    ((0x3000_0000, PAGE, 0, 0, 0), EINVAL),             # new size 0
    ((0x3000_0000, PAGE, PAGE, 2, 0), EINVAL),          # FIXED without MAYMOVE
    ((0x3000_0000, PAGE, PAGE, 4, 0), EINVAL),          # DONTUNMAP: not supported
    ((0x5000_0000, PAGE, 2 * PAGE, 1, 0), EFAULT),      # not mapped
])
def test_mremap_errors(proc, args, errno):
    call(proc, 'mmap2', 0x3000_0000, PAGE, RW, PRIVATE_ANON | MAP_FIXED)
    assert call(proc, 'mremap', *args) == -errno


# ---------------------------------------------------------------- musl's malloc
MALLOC_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int main(void) {
    unsigned sum = 0;
    char *small[200];
    for (int i = 0; i < 200; i++) {            /* brk, then mmap'd groups */
        small[i] = malloc(16 + i * 8);
        memset(small[i], i, 16 + i * 8);
    }
    for (int i = 0; i < 200; i += 2) free(small[i]);
    char *big = malloc(300000);                /* its own mapping */
    memset(big, 7, 300000);
    big = realloc(big, 600000);                /* mremap */
    for (int i = 300000; i < 600000; i += 4096) big[i] = 1;
    for (int i = 1; i < 200; i += 2) sum += (unsigned char)small[i][0] + small[i][15];
    sum += big[0] + big[299999] + big[300000];
    free(big);                                 /* munmap */
    char *p = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    p[5000] = 3;
    mprotect(p, 4096, PROT_READ);
    sum += p[5000] + p[0];
    munmap(p, 8192);
    printf("sum=%u\n", sum);
    return 0;
}
"""


def run_static_musl(path, engine):
    """A static musl program in its own AddressSpace under a minimal kernel: the memory
    calls of sysmm, writev/write to collect stdout, exit_group, set_tid_address; page
    faults go to the space; every other call is -ENOSYS."""
    import vlab.isa.dbt  # noqa: F401 - the 'dbt' engine
    from vlab.isa.elf.reader import load_elf
    from vlab.os.aspace import ACCESS_OF_CAUSE
    from vlab.os.exec import SV32_STACK_TOP, load_into
    names = {number: name for name, number in NUMBERS.items()}
    machine = Machine(ram_size=8 << 20, engine=engine)
    frames = FrameAllocator(machine.bus, machine.ram.base + (1 << 20),
                            machine.ram.base + (8 << 20))
    frames.fence = machine_fence(machine)
    space = AddressSpace(frames)
    loaded = load_into(load_elf(path), space, SV32_STACK_TOP, ['malloc'], [])
    space.set_heap(loaded.brk_start, loaded.brk_limit)
    proc = SimpleNamespace(space=space)
    out, calls = bytearray(), []

    def syscall(name, a):
        if name in CALLS:
            return call(proc, name, *a)
        if name == 'writev':
            iov = space.read(a[1], 8 * a[2])
            for i in range(a[2]):
                base, length = (int.from_bytes(iov[8 * i + k:8 * i + k + 4], 'little')
                                for k in (0, 4))
                out.extend(space.read(base, length))
            return sum(int.from_bytes(iov[8 * i + 4:8 * i + 8], 'little')
                       for i in range(a[2]))
        if name == 'write':
            out.extend(space.read(a[1], a[2]))
            return a[2]
        return 1 if name == 'set_tid_address' else -38           # ENOSYS

    def trap(ctx):
        if ctx.cause == 8:
            name = names.get(ctx.reg(17), str(ctx.reg(17)))
            args = [ctx.reg(r) for r in range(10, 16)]
            calls.append(name)
            if name in ('exit', 'exit_group'):
                return ctx.exit(args[0])
            ctx.set_reg(10, syscall(name, args) & 0xFFFF_FFFF)
            return ctx.skip()
        access = ACCESS_OF_CAUSE.get(ctx.cause)
        if access and space.handle_fault(ctx.tval, access):
            return ctx.resume(ctx.epc)
        return ctx.halt(f'SIGSEGV: {ctx.name} at {ctx.epc:#x} tval={ctx.tval:#x}')

    machine.traps.register('M', trap, name='mini-kernel')
    machine.csr['satp'] = space.satp
    machine.regs[2] = loaded.sp
    machine.pc = loaded.entry
    machine.priv = 'U'
    result = machine.run(max_instructions=20_000_000)
    return result, bytes(out), calls, space


@pytest.mark.parametrize('engine', ['interp', 'dbt'])
def test_musl_malloc_runs_on_these_calls(tmp_path, engine):
    from vlab.isa.runtime import ToolchainMissing, compile_c
    source = tmp_path / 'malloc.c'
    source.write_text(MALLOC_C)
    try:
        elf = compile_c([source], tmp_path / 'malloc.elf', libc='musl')
    except ToolchainMissing as missing:
        pytest.skip(str(missing))
    result, out, calls, space = run_static_musl(elf, engine)
    assert (result.status, result.exit_code, out) == ('exit', 0, b'sum=20018\n'), result
    assert {'brk', 'mmap2', 'munmap', 'mremap', 'mprotect'} <= set(calls)
    space.destroy()
    assert space.frames.used_frames == 0


# ---------------------------------------------------------------- hostile arguments
def test_random_arguments_never_break_the_space(proc):
    """Thousands of memory calls with hostile 32-bit arguments: each returns a number
    (a result or -errno, never a Python exception) and the space stays consistent."""
    rng = random.Random(9)
    space, frames = proc.space, proc.frames
    proc.files = Files(fd3=RegularFile(b'file' * 3000))
    interesting = [0, 1, PAGE - 1, PAGE, 0x1_0000, 0x2000_0000, 0xBF7F_F000, 0xBFFF_F000,
                   0xC000_0000, 0xFFFF_F000, 0xFFFF_FFFF, 0x7FFF_FFFF, HEAP, HEAP + 5 * PAGE]

    def arg():
        if rng.random() < 0.5:
            return rng.choice(interesting)
        if rng.random() < 0.5:                       # somewhere near a mapping
            return rng.choice(interesting[-2:] + [a.start for a in space.vmas]) \
                + rng.randrange(-2, 3) * PAGE
        return rng.randrange(1 << 32) & (~(PAGE - 1) if rng.random() < 0.7 else -1)

    for step in range(1500):
        name = rng.choice(sorted(CALLS))
        args = [arg() for _ in range(6)]
        if name == 'mmap2':
            args[1] = rng.choice([PAGE, 3 * PAGE, args[1]])
            args[2] = rng.randrange(8)
            args[3] = rng.choice([MAP_PRIVATE, MAP_SHARED]) | rng.choice(
                [MAP_ANON, MAP_ANON | MAP_FIXED, 0, MAP_ANON | MAP_POPULATE])
            args[4] = rng.choice([3, 0xFFFF_FFFF])
        elif name in ('munmap', 'mprotect', 'madvise', 'mremap'):
            args[1] = rng.choice([PAGE, 2 * PAGE, args[1]])
            args[2] = rng.randrange(16) if name != 'mremap' else rng.choice([PAGE, args[2]])
            args[3] = rng.randrange(4) if name == 'mremap' else args[3]
        args = [a & 0xFFFF_FFFF for a in args]
        result = call(proc, name, *args)
        assert isinstance(result, int), (step, name, args)
        if name == 'mmap2' and result >= 0 and rng.random() < 0.5:
            try:
                space.write(result, b'w')
            except SyscallError:
                pass
        areas = space.vma_list()
        assert all(a.start < a.end and a.start % PAGE == a.end % PAGE == 0 for a in areas)
        assert all(x.end <= y.start for x, y in zip(areas, areas[1:], strict=False)), \
            (step, name, args)
        assert areas == [] or areas[-1].end <= 0xC000_0000
        assert all(space.vmas.find(page) is not None for page in space.pages)
        assert frames.used_frames == len(space.pages) + len(space.table_frames)
    space.destroy()
    assert frames.used_frames == 0
