"""Direct assignment with an IOMMU: a malicious guest that programs its assigned disk to
DMA outside its memory is stopped, the IOMMU records the fault, and nothing outside the
guest's memory changes.  Also the IOMMU on its own: walks, IOTLB, permissions, faults."""
import pytest

from vlab.hardware.io.guest_program import BUF, Job
from vlab.hardware.io.iommu import (
    CAUSE_NO_DEVICE_CONTEXT,
    CAUSE_READ_GUEST_PAGE_FAULT,
    CAUSE_WRITE_GUEST_PAGE_FAULT,
    Iommu,
    IommuFault,
)
from vlab.hardware.io.measure import boot, run_job
from vlab.hardware.io.virtio_mmio import DEVICE_NEEDS_RESET
from vlab.host.devices.block import STATUS_DMA_FAULT, STATUS_OK
from vlab.host.platform import Platform
from vlab.isa.pagetable import (
    LOAD,
    PTE_A,
    PTE_D,
    PTE_R,
    PTE_U,
    PTE_W,
    STORE,
    SV32X4,
    PageTable,
    PoolAllocator,
)


def snapshot_outside(vm):
    """Every byte of host RAM the guest does not own (the VMM's memory)."""
    memory = vm.memory
    return vm.machine.bus.read_bytes(memory.vmm_base, memory.vmm_size)


@pytest.mark.parametrize('method', ['passthrough', 'emulated'])
@pytest.mark.parametrize('target', ['vmm tables', 'end of guest ram'])
def test_malicious_dma_is_stopped_and_changes_nothing(method, target):
    vm = boot(method)
    vm.machine.platform.block.image[:512] = b'\xee' * 512
    address = {'vmm tables': vm.memory.vmm_base + 0x4000,          # G-stage root area
               'end of guest ram': vm.memory.base + vm.memory.size - 256}[target]
    before = snapshot_outside(vm)
    run = run_job(method, Job('dma', 0, dma_addr=address), vm)
    assert run.result == STATUS_DMA_FAULT
    assert snapshot_outside(vm) == before
    assert 'DMA_FAULT' in vm.io.disk.last_error
    if method == 'passthrough':
        fault = vm.io.iommu.faults[-1]
        assert fault.cause == CAUSE_WRITE_GUEST_PAGE_FAULT and fault.access == 'write'
        first_refused = address if target == 'vmm tables' else vm.memory.vmm_base
        assert fault.iova == first_refused           # the page past guest RAM


def test_passthrough_dma_inside_guest_memory_works_without_exits():
    vm = boot('passthrough')
    vm.machine.platform.block.image[:512] = b'\x5a' * 512
    run = run_job('passthrough', Job('dma', 0, dma_addr=BUF + 8), vm)
    assert run.result == STATUS_OK and not vm.io.iommu.faults
    assert vm.machine.bus.read_bytes(BUF + 8, 512) == b'\x5a' * 512
    assert 'MMIO store' not in run.exits


def iommu_with_table(flags):
    platform = Platform(ram_size=1 << 20)
    table = PageTable(platform.bus, PoolAllocator(0x8008_0000, 0x8000), scheme=SV32X4)
    table.map(0x8000_0000, 0x8001_0000, flags | PTE_U | PTE_A | PTE_D)
    iommu = Iommu(platform.bus)
    iommu.attach(7, table)
    return platform, iommu


def test_translation_walks_once_per_page_then_hits_the_iotlb():
    platform, iommu = iommu_with_table(PTE_R | PTE_W)
    assert iommu.translate(7, 0x8000_0123, STORE) == 0x8001_0123
    assert iommu.translate(7, 0x8000_0FFF, STORE) == 0x8001_0FFF
    assert (iommu.walks, iommu.iotlb_hits) == (1, 1)
    assert platform.ledger.count('page_walk_ref') == 2
    iommu.invalidate()
    iommu.translate(7, 0x8000_0000, LOAD)
    assert iommu.walks == 2


def test_permissions_and_missing_context_fault():
    _, iommu = iommu_with_table(PTE_R)
    assert iommu.translate(7, 0x8000_0010, LOAD) == 0x8001_0010
    with pytest.raises(IommuFault) as write:
        iommu.translate(7, 0x8000_0010, STORE)          # read-only for the device
    assert write.value.record.cause == CAUSE_WRITE_GUEST_PAGE_FAULT
    with pytest.raises(IommuFault) as unmapped:
        iommu.translate(7, 0x8000_1000, LOAD)
    assert unmapped.value.record.cause == CAUSE_READ_GUEST_PAGE_FAULT
    with pytest.raises(IommuFault, match='no device context'):
        iommu.translate(8, 0x8000_0000, LOAD)
    assert [f.cause for f in iommu.faults] == [CAUSE_WRITE_GUEST_PAGE_FAULT,
                                               CAUSE_READ_GUEST_PAGE_FAULT,
                                               CAUSE_NO_DEVICE_CONTEXT]


def test_a_guest_pointing_a_virtqueue_at_vmm_memory_gets_needs_reset():
    vm = boot('virtio')
    before = snapshot_outside(vm)
    run = run_job('virtio', Job('bad-ring', 0, dma_addr=vm.memory.vmm_base), vm)
    assert run.result & DEVICE_NEEDS_RESET
    assert 'descriptor table' in vm.io.virtio_blk.error
    assert 'not in guest RAM' in vm.io.virtio_blk.error
    assert snapshot_outside(vm) == before


def test_an_unmapped_page_stays_usable_until_the_iotlb_is_invalidated():
    platform, iommu = iommu_with_table(PTE_R | PTE_W)
    iommu.translate(7, 0x8000_0000, STORE)
    iommu.contexts[7].unmap(0x8000_0000)                  # the VMM takes the page back ...
    assert iommu.translate(7, 0x8000_0000, STORE) == 0x8001_0000   # ... a stale IOTLB entry
    iommu.invalidate(7)                                   # IOTINVAL.GVMA
    with pytest.raises(IommuFault):
        iommu.translate(7, 0x8000_0000, STORE)
