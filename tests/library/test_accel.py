"""The modeled accelerator and CUDA-shaped API remoting (vlab.library.accel)."""

import numpy as np
import pytest

from vlab.host.ledger import Ledger
from vlab.library.accel.api import CudaApi
from vlab.library.accel.backend import Backend
from vlab.library.accel.device import Accelerator
from vlab.library.accel.errors import CUresult
from vlab.library.accel.protocol import Op, ProtocolError, decode_request, encode_request
from vlab.library.accel.transport import NativeTransport, VmTransport
from vlab.library.accel.workload import SAXPY_A, inputs, run_workload

REFERENCE = {
    "saxpy": lambda a, n: np.float32(SAXPY_A) * a[0] + a[1],
    "reduce": lambda a, n: np.array([a[0].sum(dtype=np.float32)]),
    "matmul": lambda a, n: (a[0].reshape(n, n) @ a[1].reshape(n, n)).reshape(-1),
}


@pytest.mark.parametrize("kernel,n", [("saxpy", 1000), ("reduce", 1000), ("matmul", 16)])
def test_kernels_match_numpy_and_every_transport_agrees(kernel, n):
    expected = REFERENCE[kernel](inputs(kernel, n), n)
    outputs = [run_workload(kernel, n, t).output for t in ("native", "vm", "network")]
    np.testing.assert_allclose(outputs[0], expected, rtol=1e-5)
    assert all(np.array_equal(outputs[0], o) for o in outputs[1:])


def test_stencil_averages_five_points_and_keeps_the_border():
    out = run_workload("stencil", 8).output.reshape(8, 8)
    src = inputs("stencil", 8)[0].reshape(8, 8)
    assert out[0, 3] == src[0, 3]
    want = 0.2 * (src[3, 3] + src[2, 3] + src[4, 3] + src[3, 2] + src[3, 4])
    assert out[3, 3] == pytest.approx(want, rel=1e-6)


def test_remoting_costs_a_fixed_price_per_call_plus_a_price_per_byte():
    small, large = (run_workload("saxpy", n, "vm") for n in (256, 4096))
    native_small, native_large = (run_workload("saxpy", n) for n in (256, 4096))
    extra = [r.cycles - n.cycles for r, n in ((small, native_small), (large, native_large))]
    per_byte = (extra[1] - extra[0]) / (large.bytes_moved - small.bytes_moved)
    assert per_byte == pytest.approx(2.0)                      # remote_byte
    assert extra[0] - per_byte * small.bytes_moved == pytest.approx(30_000 * small.calls)


def test_large_kernels_amortize_remoting_and_chatty_programs_pay_for_it():
    def slowdown(kernel, n, launches=1):
        return (run_workload(kernel, n, "vm", launches).cycles
                / run_workload(kernel, n, "native", launches).cycles)
    # a program that reuses its data for many launches: compute hides the per-call price
    assert slowdown("matmul", 256, 20) < 1.5 < 3.5 < slowdown("matmul", 16, 20)
    # a chatty program (many tiny launches) pays the per-call price every time
    assert slowdown("saxpy", 64, launches=50) > 3.5
    net = run_workload("saxpy", 4096, "network").cycles
    assert net > run_workload("saxpy", 4096, "vm").cycles


def test_a_hostile_tenant_cannot_read_or_launch_on_another_tenants_memory():
    backend = Backend(Accelerator(ledger=Ledger()))
    victim = CudaApi(VmTransport(backend, client="vm-1"))
    attacker = CudaApi(VmTransport(backend, client="vm-2"))
    assert victim.cuInit() == attacker.cuInit() == CUresult.CUDA_SUCCESS
    _, secret = victim.cuMemAlloc(256)
    assert victim.cuMemcpyHtoD(secret, b"password" * 32) == CUresult.CUDA_SUCCESS
    result, data = attacker.cuMemcpyDtoH(secret, 256)
    assert result == CUresult.CUDA_ERROR_INVALID_VALUE and data == b""
    assert "allocation of this context" in attacker.last_error
    _, mine = attacker.cuMemAlloc(256)
    _, reduce = attacker.cuModuleGetFunction("reduce")
    result = attacker.cuLaunchKernel(reduce, params=[("u", 64), ("p", secret), ("p", mine)])
    assert result == CUresult.CUDA_ERROR_ILLEGAL_ADDRESS
    assert attacker.cuMemFree(secret) == CUresult.CUDA_ERROR_INVALID_VALUE
    # freed memory is cleared before anyone gets it again
    assert victim.cuMemFree(secret) == CUresult.CUDA_SUCCESS
    _, reused = attacker.cuMemAlloc(256)
    assert attacker.cuMemcpyDtoH(reused, 256)[1] == bytes(256)


def test_errors_are_cuda_results_with_reasons():
    cu = CudaApi(NativeTransport(Backend(Accelerator(memory_size=4096))))
    assert cu.cuMemAlloc(16)[0] == CUresult.CUDA_ERROR_NOT_INITIALIZED
    cu.cuInit()
    result, _ = cu.cuMemAlloc(1 << 20)
    assert result == CUresult.CUDA_ERROR_OUT_OF_MEMORY and "4096" in cu.last_error
    assert cu.cuModuleGetFunction("fft")[0] == CUresult.CUDA_ERROR_NOT_FOUND
    assert cu.cuLaunchKernel(99) == CUresult.CUDA_ERROR_INVALID_HANDLE


@pytest.mark.parametrize("message,why", [
    (b"VCU", "shorter than"),
    (b"XXXX" + bytes(8), "expected b'VCU1'"),
    (encode_request(Op.cuInit)[:4] + b"\x63\x00" + bytes(6), "unknown operation 99"),
    (encode_request(Op.cuMemAlloc, [("u", 8)]) + b"junk", "announces"),
    (encode_request(Op.cuMemAlloc, [("u", 8)]).replace(b"u\0\0\0", b"z\0\0\0"), "tag"),
])
def test_malformed_requests_get_an_error_reply_not_an_exception(message, why):
    with pytest.raises(ProtocolError, match=why):
        decode_request(message)
    backend = Backend(Accelerator())
    reply = NativeTransport(backend).send(message)
    assert reply.startswith(b"VCR1") and why.encode() in reply
