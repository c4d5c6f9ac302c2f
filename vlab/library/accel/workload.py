"""A guest program using the accelerator, run over any transport: the same calls, the
same results, different costs.

``run_workload('saxpy', n=4096, transport='vm')`` builds a fresh device and back end,
makes the calls a CUDA program makes (cuInit, cuMemAlloc per buffer, cuMemcpyHtoD of
the inputs, cuModuleGetFunction, cuLaunchKernel ``launches`` times, cuCtxSynchronize,
cuMemcpyDtoH of the output, cuMemFree) and returns the output and the ledger.  Inputs
come from a seeded generator, so a run is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vlab.host.ledger import Ledger

from .api import CudaApi
from .backend import Backend
from .device import Accelerator
from .errors import CudaError, CUresult
from .transport import TRANSPORTS

# kernel -> (input buffers, output buffer index, elements per buffer(n), extra args)
LAYOUTS = {
    "saxpy": dict(buffers=2, output=1, elements=lambda n: n),
    "reduce": dict(buffers=2, output=1, elements=lambda n: n),
    "matmul": dict(buffers=3, output=2, elements=lambda n: n * n),
    "stencil": dict(buffers=2, output=1, elements=lambda n: n * n),
}
SAXPY_A = 2.5


@dataclass
class WorkloadRun:
    output: np.ndarray
    ledger: Ledger
    calls: int
    bytes_moved: int

    @property
    def cycles(self) -> float:
        return self.ledger.total_cycles


def inputs(kernel: str, n: int, seed: int = 1) -> list[np.ndarray]:
    layout = LAYOUTS[kernel]
    rng = np.random.default_rng(seed)
    count = layout["elements"](n)
    arrays = [rng.random(count, dtype=np.float32) for _ in range(layout["buffers"])]
    if kernel == "reduce":
        arrays[1] = np.zeros(1, dtype=np.float32)
    elif kernel in ("matmul",):
        arrays[2] = np.zeros(count, dtype=np.float32)
    elif kernel == "stencil":
        arrays[1] = np.zeros(count, dtype=np.float32)
    return arrays


def _params(kernel: str, n: int, pointers: list[int]) -> list:
    if kernel == "saxpy":
        return [("u", n), ("f", SAXPY_A), ("p", pointers[0]), ("p", pointers[1])]
    return [("u", n), *[("p", p) for p in pointers]]


def run_program(cu: CudaApi, kernel: str, n: int, launches: int = 1, seed: int = 1):
    """The guest program's calls on ``cu``; CudaError if any call fails."""
    def check(result, *rest):
        if result != CUresult.CUDA_SUCCESS:
            raise CudaError(result, cu.last_error)
        return rest[0] if rest else None

    arrays = inputs(kernel, n, seed)
    check(cu.cuInit(0))
    pointers = [check(*cu.cuMemAlloc(a.nbytes)) for a in arrays]
    for pointer, array in zip(pointers, arrays, strict=True):
        check(cu.cuMemcpyHtoD(pointer, array))
    function = check(*cu.cuModuleGetFunction(kernel))
    for _ in range(launches):
        check(cu.cuLaunchKernel(function, (max(1, n // 256), 1, 1), (256, 1, 1),
                                _params(kernel, n, pointers)))
    check(cu.cuCtxSynchronize())
    out = LAYOUTS[kernel]["output"]
    data = check(*cu.cuMemcpyDtoH(pointers[out], arrays[out].nbytes))
    for pointer in pointers:
        check(cu.cuMemFree(pointer))
    return np.frombuffer(data, dtype=np.float32).copy()


def run_workload(kernel: str, n: int, transport: str = "native", launches: int = 1,
                 seed: int = 1, costs=None) -> WorkloadRun:
    if kernel not in LAYOUTS:
        raise ValueError(f"unknown kernel {kernel!r}: choose one of {sorted(LAYOUTS)}")
    if transport not in TRANSPORTS:
        raise ValueError(f"unknown transport {transport!r}: choose one of "
                         f"{sorted(TRANSPORTS)}")
    ledger = Ledger(costs)
    channel = TRANSPORTS[transport](Backend(Accelerator(ledger=ledger)))
    output = run_program(CudaApi(channel), kernel, n, launches, seed)
    return WorkloadRun(output, ledger, channel.calls, channel.bytes)
