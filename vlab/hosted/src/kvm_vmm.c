/* kvm_vmm: the user-mode half of the dual-mode hypervisor (a tiny QEMU).
 *
 * Runs as an ordinary process of the vlab host kernel.  It reads the guest's RAM image
 * from standard input, makes a VM through /dev/kvm (the host kernel's module,
 * vlab/hosted/kvm_module.py) and loops on KVM_RUN.  The kernel handles CPU and memory
 * exits itself; this program sees only device I/O: it prints each console byte (HTIF or
 * UART) with write(2) and ends with the guest's exit code.  The ioctl numbers and structures are
 * those of vlab/hosted/kvm_api.py (Linux's include/uapi/linux/kvm.h, with the
 * differences listed there).
 *
 *   usage: kvm_vmm ENTRY TOHOST FROMHOST < guest-ram-image      (numbers in hex)
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define KVMIO 0xAE
#define IOC(dir, nr, size) (((unsigned)(dir) << 30) | ((size) << 16) | (KVMIO << 8) | (nr))
#define KVM_CREATE_VM IOC(0, 0x01, 0)
#define KVM_CREATE_VCPU IOC(0, 0x41, 0)
#define KVM_SET_USER_MEMORY_REGION IOC(1, 0x46, 32)
#define KVM_RUN IOC(0, 0x80, 0)
#define KVM_GET_REGS IOC(2, 0x81, 128)
#define KVM_SET_REGS IOC(1, 0x82, 128)
#define KVM_VLAB_SET_HTIF IOC(1, 0xF0, 16)

#define KVM_EXIT_IO 2
#define KVM_EXIT_HLT 5
#define KVM_EXIT_MMIO 6
#define KVM_EXIT_SHUTDOWN 8

#define RAM_BASE 0x80000000u
#define MAX_IMAGE (1u << 20)

struct kvm_userspace_memory_region {
    uint32_t slot, flags;
    uint64_t guest_phys_addr, memory_size, userspace_addr;
};
struct kvm_regs { uint32_t pc, x[31]; };
struct vlab_htif { uint64_t tohost, fromhost; };
struct vlab_kvm_run {
    uint32_t exit_reason, size;
    int32_t code;
    uint32_t kernel_exits;
    uint8_t data[16];
};

static uint8_t image[MAX_IMAGE];

static void die(const char *what) {
    perror(what);
    exit(125);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: kvm_vmm ENTRY TOHOST FROMHOST < image\n");
        return 125;
    }
    size_t size = 0;
    ssize_t got;
    while (size < MAX_IMAGE && (got = read(0, image + size, MAX_IMAGE - size)) > 0)
        size += (size_t)got;

    int kvm = open("/dev/kvm", O_RDWR);
    if (kvm < 0) die("/dev/kvm");
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) die("KVM_CREATE_VM");
    struct kvm_userspace_memory_region region = {
        0, 0, RAM_BASE, (size + 4095) & ~4095u, (uint32_t)(uintptr_t)image};
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) die("KVM_SET_USER_MEMORY_REGION");
    struct vlab_htif htif = {strtoul(argv[2], 0, 16), strtoul(argv[3], 0, 16)};
    if (ioctl(vm, KVM_VLAB_SET_HTIF, &htif) < 0) die("KVM_VLAB_SET_HTIF");
    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) die("KVM_CREATE_VCPU");
    struct kvm_regs regs;
    if (ioctl(vcpu, KVM_GET_REGS, &regs) < 0) die("KVM_GET_REGS");
    regs.pc = strtoul(argv[1], 0, 16);
    if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) die("KVM_SET_REGS");

    struct vlab_kvm_run run;
    for (;;) {
        if (ioctl(vcpu, KVM_RUN, &run) < 0) die("KVM_RUN");
        switch (run.exit_reason) {
        case KVM_EXIT_IO:               /* the HTIF console */
        case KVM_EXIT_MMIO:             /* the UART's transmit register (code: address) */
            write(1, run.data, run.size);
            break;
        case KVM_EXIT_SHUTDOWN:
            return run.code;
        case KVM_EXIT_HLT:
            fprintf(stderr, "kvm_vmm: the guest halted with nothing to wake it\n");
            return 124;
        default:
            fprintf(stderr, "kvm_vmm: exit reason %u\n", (unsigned)run.exit_reason);
            return 126;
        }
    }
}
