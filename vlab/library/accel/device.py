"""The modeled accelerator: device memory, allocations owned by tenants, kernel launches.

Device memory is one ``bytearray``; an allocation is a range of it owned by one tenant
(a context: a host process, a VM, a remote client).  Every access names its tenant and
is checked against that tenant's allocations, which is what keeps one VM from reading
another VM's device memory through a shared back end (vCUDA's isolation argument, Shi
et al. 2012, sec. 3).  Memory is cleared when it is allocated, so a new allocation never
shows what the previous owner left there.

Costs go to the ledger as rows of ``vlab/host/costs.py``: ``accel_copy_setup`` plus
``accel_copy_byte`` per byte for a copy over the host bus, ``accel_launch`` plus
``accel_flop`` per floating-point operation for a kernel (Volkov & Demmel, SC 2008).

Simplified: one device, one stream, launches complete before they return (so
``cuCtxSynchronize`` has nothing to wait for); addresses are 32-bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vlab.host.ledger import Ledger

from .errors import CudaError, CUresult
from .kernels import KERNELS

DEVICE_BASE = 0x1000_0000      # device addresses start here, so 0 is never a valid pointer
ALIGNMENT = 256                # cudaMalloc aligns to at least 256 bytes (CUDA C guide 5.3.2)
DEFAULT_MEMORY = 16 << 20


@dataclass
class Allocation:
    base: int
    size: int
    tenant: str


class Accelerator:
    """A device with ``memory_size`` bytes; ``ledger`` receives its costs."""

    def __init__(self, memory_size: int = DEFAULT_MEMORY, ledger: Ledger | None = None):
        self.memory = bytearray(memory_size)
        self.ledger = ledger if ledger is not None else Ledger()
        self.allocations: dict[int, Allocation] = {}

    # -- memory -----------------------------------------------------------------------
    def alloc(self, tenant: str, size: int) -> int:
        if size <= 0:
            raise CudaError(CUresult.CUDA_ERROR_INVALID_VALUE,
                            f"cuMemAlloc of {size} bytes: the size must be positive")
        size = -(-size // ALIGNMENT) * ALIGNMENT
        offset = 0
        for block in sorted(self.allocations.values(), key=lambda a: a.base):
            if block.base - DEVICE_BASE - offset >= size:
                break
            offset = block.base - DEVICE_BASE + block.size
        if offset + size > len(self.memory):
            raise CudaError(CUresult.CUDA_ERROR_OUT_OF_MEMORY,
                            f"cuMemAlloc of {size} bytes: the device has "
                            f"{self.free_bytes()} of {len(self.memory)} bytes free")
        self.memory[offset:offset + size] = bytes(size)
        base = DEVICE_BASE + offset
        self.allocations[base] = Allocation(base, size, tenant)
        return base

    def free(self, tenant: str, dptr: int) -> None:
        block = self.allocations.get(dptr)
        if block is None or block.tenant != tenant:
            raise CudaError(CUresult.CUDA_ERROR_INVALID_VALUE,
                            f"cuMemFree({dptr:#x}): not the start of an allocation of "
                            "this context")
        del self.allocations[dptr]

    def release(self, tenant: str) -> int:
        """Free everything ``tenant`` holds (its context ends); returns how many blocks."""
        mine = [base for base, block in self.allocations.items() if block.tenant == tenant]
        for base in mine:
            del self.allocations[base]
        return len(mine)

    def free_bytes(self) -> int:
        return len(self.memory) - sum(a.size for a in self.allocations.values())

    def _range(self, tenant: str, dptr: int, length: int, what: str) -> int:
        """The memory offset of [dptr, dptr+length) if ``tenant`` owns all of it."""
        for block in self.allocations.values():
            if block.base <= dptr < block.base + block.size:
                if block.tenant == tenant and dptr + length <= block.base + block.size:
                    return dptr - DEVICE_BASE
                break
        raise CudaError(CUresult.CUDA_ERROR_INVALID_VALUE if what.startswith("cuMemcpy")
                        else CUresult.CUDA_ERROR_ILLEGAL_ADDRESS,
                        f"{what}: [{dptr:#x}, {dptr + length:#x}) is not inside one "
                        "allocation of this context")

    def write(self, tenant: str, dptr: int, data: bytes) -> None:
        """cuMemcpyHtoD: ``data`` from the host over the bus into device memory."""
        offset = self._range(tenant, dptr, len(data), "cuMemcpyHtoD")
        self.memory[offset:offset + len(data)] = data
        self._charge_copy(len(data))

    def read(self, tenant: str, dptr: int, length: int) -> bytes:
        """cuMemcpyDtoH: ``length`` bytes of device memory over the bus to the host."""
        if length < 0:
            raise CudaError(CUresult.CUDA_ERROR_INVALID_VALUE, "cuMemcpyDtoH: negative size")
        offset = self._range(tenant, dptr, length, "cuMemcpyDtoH")
        self._charge_copy(length)
        return bytes(self.memory[offset:offset + length])

    def _charge_copy(self, length: int) -> None:
        self.ledger.charge("accel_copy_setup")
        self.ledger.charge("accel_copy_byte", length)

    # -- kernels ----------------------------------------------------------------------
    def launch(self, tenant: str, name: str, grid: tuple, block: tuple, args: list) -> None:
        """cuLaunchKernel: run kernel ``name`` over ``args`` (checked against its row)."""
        kernel = KERNELS.get(name)
        if kernel is None:
            raise CudaError(CUresult.CUDA_ERROR_NOT_FOUND,
                            f"no kernel named {name!r}; the device has {sorted(KERNELS)}")
        if any(int(d) < 1 for d in (*grid, *block)):
            raise CudaError(CUresult.CUDA_ERROR_INVALID_VALUE,
                            f"cuLaunchKernel({name}): grid {grid} and block {block} "
                            "dimensions must be at least 1")
        if len(args) != len(kernel.signature):
            raise CudaError(CUresult.CUDA_ERROR_INVALID_VALUE,
                            f"kernel {name} takes {len(kernel.signature)} arguments "
                            f"({kernel.signature}), got {len(args)}")
        if kernel.signature[0] == "u" and int(args[0]) < 1:
            raise CudaError(CUresult.CUDA_ERROR_INVALID_VALUE,
                            f"kernel {name}: size {args[0]} must be at least 1")
        views = {}
        for index, count in kernel.elements(args).items():
            offset = self._range(tenant, int(args[index]), 4 * count, f"kernel {name}")
            views[index] = np.frombuffer(memoryview(self.memory)[offset:offset + 4 * count],
                                         dtype=np.float32)
        kernel.run(views, args)
        self.ledger.charge("accel_launch")
        self.ledger.charge("accel_flop", int(kernel.flops(args)))
