"""The /dev/kvm module's ioctls, called as the host kernel's sys_ioctl calls them.

The calling process is a small stand-in (its memory a bytearray, its descriptor table a
dict) so that each ioctl's checks can be reached directly; the whole path through the
host kernel and the C VMM is tested in test_hv_types.py."""
import struct
from types import SimpleNamespace

import pytest
from hosted_guests import printing_guest

from vlab.host.ledger import Ledger
from vlab.hosted import kvm_api as api
from vlab.hosted.dual import ram_image
from vlab.hosted.kvm_module import RAM_BASE, KvmModule, KvmSystemFile
from vlab.os.errno import EEXIST, EINVAL, ENOTTY, SyscallError

USER = 0x1000                 # where the stand-in process keeps its data


class Space:
    def __init__(self, size=1 << 21):
        self.data = bytearray(size)

    def read(self, va, n):
        if va + n > len(self.data):
            raise SyscallError(14, 'bad address')
        return bytes(self.data[va:va + n])

    def write(self, va, data):
        self.data[va:va + len(data)] = data


class Files:
    def __init__(self):
        self.table = {}

    def install(self, file, cloexec=False):
        fd = len(self.table) + 3
        self.table[fd] = file
        return fd


@pytest.fixture
def setup():
    process = SimpleNamespace(space=Space(), files=Files())
    kernel = SimpleNamespace(current=process, ledger=Ledger(), root_ns=None)
    module = KvmModule(kernel)
    return module, process, KvmSystemFile(module)


def _vm(module, process, system, flags=api.KVM_MEM_LOG_DIRTY_PAGES):
    image = printing_guest()
    raw = ram_image(image)
    process.space.write(USER + 0x1000, raw)
    vm = process.files.table[system.ioctl(api.KVM_CREATE_VM, 0)]
    process.space.write(USER, api.MEMORY_REGION.pack(0, flags, RAM_BASE,
                                                     -(-len(raw) // 4096) * 4096, USER + 0x1000))
    assert vm.ioctl(api.KVM_SET_USER_MEMORY_REGION, USER) == 0
    process.space.write(USER, api.HTIF.pack(image.tohost, image.fromhost))
    assert vm.ioctl(api.KVM_VLAB_SET_HTIF, USER) == 0
    vcpu = process.files.table[vm.ioctl(api.KVM_CREATE_VCPU, 0)]
    regs = list(api.REGS.unpack(vcpu.ioctl(api.KVM_GET_REGS, USER)))
    regs[0] = image.entry
    process.space.write(USER, api.REGS.pack(*regs))
    assert vcpu.ioctl(api.KVM_SET_REGS, USER) == 0
    return vm, vcpu


def test_run_exits_once_per_console_byte_then_shutdown(setup):
    module, process, system = setup
    _, vcpu = _vm(module, process, system)
    printed = b''
    while True:
        reason, size, code, _, data = api.RUN.unpack(vcpu.ioctl(api.KVM_RUN, USER))
        if reason != api.KVM_EXIT_IO:
            break
        assert size == 1
        printed += data[:size]
    assert (reason, code, printed) == (api.KVM_EXIT_SHUTDOWN, 3, b'hello from the guest\n')
    assert module.exits_in_kernel and module.kernel.ledger.count('vm_exit') > 0


def test_dirty_log_marks_the_pages_the_guest_wrote(setup):
    module, process, system = setup
    vm, vcpu = _vm(module, process, system)
    vcpu.ioctl(api.KVM_RUN, USER)
    process.space.write(USER, api.DIRTY_LOG.pack(0, 0, USER + 0x100))
    assert vm.ioctl(api.KVM_GET_DIRTY_LOG, USER) == 0
    bitmap = process.space.read(USER + 0x100, 1)[0]
    tohost_page = (printing_guest().tohost - RAM_BASE) >> 12
    assert bitmap & (1 << tohost_page)            # the guest wrote its HTIF mailbox
    assert vm.ioctl(api.KVM_GET_DIRTY_LOG, USER) == 0
    assert process.space.read(USER + 0x100, 1)[0] == 0      # cleared by the read


def test_bad_requests_are_errors_with_reasons(setup):
    module, process, system = setup
    vm, vcpu = _vm(module, process, system, flags=0)
    with pytest.raises(SyscallError) as err:
        system.ioctl(0x1234, 0)
    assert err.value.args[0] == ENOTTY
    with pytest.raises(SyscallError) as err:
        vm.ioctl(api.KVM_CREATE_VCPU, 0)
    assert err.value.args[0] == EEXIST
    process.space.write(USER, api.MEMORY_REGION.pack(1, 0, 0x1000, 4096, USER))
    with pytest.raises(SyscallError) as err:
        vm.ioctl(api.KVM_SET_USER_MEMORY_REGION, USER)
    assert err.value.args[0] == EINVAL and 'one slot' in err.value.args[1]
    process.space.write(USER, api.DIRTY_LOG.pack(0, 0, USER))
    with pytest.raises(SyscallError) as err:               # logging was not asked for
        vm.ioctl(api.KVM_GET_DIRTY_LOG, USER)
    assert err.value.args[0] == EINVAL


def test_run_without_memory_is_an_internal_error(setup):
    module, process, system = setup
    vm = process.files.table[system.ioctl(api.KVM_CREATE_VM, 0)]
    vcpu = process.files.table[vm.ioctl(api.KVM_CREATE_VCPU, 0)]
    reason = struct.unpack_from('<I', vcpu.ioctl(api.KVM_RUN, USER))[0]
    assert reason == api.KVM_EXIT_INTERNAL_ERROR and 'KVM_SET_USER_MEMORY_REGION' in module.message
