"""CUresult: the error codes of the CUDA driver API, with their real numeric values.

Values from NVIDIA's ``cuda.h`` (enum ``cudaError_enum``); only the codes this model can
return are listed.  A remoted call carries the code back unchanged, so a guest program
sees the same result natively, from a VM and over the network.
"""

from __future__ import annotations

from enum import IntEnum


class CUresult(IntEnum):
    CUDA_SUCCESS = 0
    CUDA_ERROR_INVALID_VALUE = 1
    CUDA_ERROR_OUT_OF_MEMORY = 2
    CUDA_ERROR_NOT_INITIALIZED = 3
    CUDA_ERROR_INVALID_CONTEXT = 201
    CUDA_ERROR_INVALID_HANDLE = 400
    CUDA_ERROR_NOT_FOUND = 500
    CUDA_ERROR_ILLEGAL_ADDRESS = 700
    CUDA_ERROR_LAUNCH_FAILED = 719


class CudaError(Exception):
    """A call failed on the device; ``result`` is its CUresult, the message says why."""

    def __init__(self, result: CUresult, why: str):
        super().__init__(f"{result.name} ({int(result)}): {why}")
        self.result = CUresult(result)
        self.why = why
