"""The ioctl numbers are Linux's (include/uapi/linux/kvm.h, as compiled on x86-64 and RV32,
where _IOW/_IOR encode the struct size): a C program written against kvm.h would work."""
from vlab.hosted import kvm_api as api


def test_ioctl_numbers_are_kvm_h():
    assert api.KVM_CREATE_VM == 0xAE01
    assert api.KVM_CREATE_VCPU == 0xAE41
    assert api.KVM_RUN == 0xAE80
    assert api.KVM_SET_USER_MEMORY_REGION == 0x4020AE46
    assert api.KVM_GET_DIRTY_LOG == 0x4010AE42


def test_exit_reasons_are_kvm_h():
    assert (api.KVM_EXIT_IO, api.KVM_EXIT_HLT, api.KVM_EXIT_MMIO, api.KVM_EXIT_SHUTDOWN,
            api.KVM_EXIT_INTERNAL_ERROR) == (2, 5, 6, 8, 17)
    assert (api.KVM_EXIT_RISCV_SBI, api.KVM_EXIT_RISCV_CSR) == (35, 36)


def test_structs_have_kvm_h_sizes():
    assert api.MEMORY_REGION.size == 32        # struct kvm_userspace_memory_region
    assert api.DIRTY_LOG.size == 16            # struct kvm_dirty_log on a 32-bit ABI + pad
    assert api.REGS.size == 128                # pc + x1..x31


def test_c_program_uses_the_same_numbers():
    source = (api.__file__.rsplit('/', 1)[0] + '/src/kvm_vmm.c')
    text = open(source, encoding='utf-8').read()
    for name in ('KVM_CREATE_VM IOC(0, 0x01, 0)', 'KVM_RUN IOC(0, 0x80, 0)',
                 'KVM_SET_USER_MEMORY_REGION IOC(1, 0x46, 32)', 'KVM_GET_REGS IOC(2, 0x81, 128)',
                 'KVM_VLAB_SET_HTIF IOC(1, 0xF0, 16)', 'KVM_EXIT_IO 2', 'KVM_EXIT_SHUTDOWN 8'):
        assert f'#define {name}' in text
