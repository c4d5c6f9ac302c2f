"""The accelerator's kernels: saxpy, reduction, matrix multiply and a stencil, on numpy.

A kernel reads and writes device memory only through the numpy views the device hands
it (float32 arrays over its allocations), so a kernel cannot reach memory its caller does
not own.  Each row says how many arguments of which kind it takes (``p`` a device
pointer, ``f`` a float32, ``u`` an unsigned count) and how many floating-point
operations it performs, which the device charges as ``accel_flop``.

Simplified: a real GPU runs a kernel as a grid of thread blocks; here numpy runs the
whole kernel at once and the grid and block sizes are checked but do not change the
result or the modeled time (the throughput row is a sustained rate).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Kernel:
    name: str
    signature: str                      # one letter per argument: p pointer, f float, u count
    elements: Callable                  # (args) -> {pointer index: float32 elements used}
    flops: Callable                     # (args) -> floating-point operations
    run: Callable                       # (views, args) -> None, writes its outputs in place


def _saxpy(views, args):
    n, a = args[0], args[1]
    x, y = views[2], views[3]
    y[:n] = np.float32(a) * x[:n] + y[:n]


def _reduce(views, args):
    n = args[0]
    views[2][0] = np.sum(views[1][:n], dtype=np.float32)


def _matmul(views, args):
    n = args[0]
    a = views[1][:n * n].reshape(n, n)
    b = views[2][:n * n].reshape(n, n)
    views[3][:n * n] = (a @ b).reshape(-1)


def _stencil(views, args):
    """Five-point Jacobi step on an n x n grid; the border is copied unchanged."""
    n = args[0]
    src = views[1][:n * n].reshape(n, n)
    dst = views[2][:n * n].reshape(n, n)
    dst[:, :] = src
    dst[1:-1, 1:-1] = np.float32(0.2) * (src[1:-1, 1:-1] + src[:-2, 1:-1] + src[2:, 1:-1]
                                         + src[1:-1, :-2] + src[1:-1, 2:])


KERNELS: dict[str, Kernel] = {k.name: k for k in (
    Kernel("saxpy", "ufpp", lambda a: {2: a[0], 3: a[0]}, lambda a: 2 * a[0], _saxpy),
    Kernel("reduce", "upp", lambda a: {1: a[0], 2: 1}, lambda a: a[0], _reduce),
    Kernel("matmul", "uppp", lambda a: {1: a[0] ** 2, 2: a[0] ** 2, 3: a[0] ** 2},
           lambda a: 2 * a[0] ** 3, _matmul),
    Kernel("stencil", "upp", lambda a: {1: a[0] ** 2, 2: a[0] ** 2},
           lambda a: 5 * max(a[0] - 2, 0) ** 2, _stencil),
)}
