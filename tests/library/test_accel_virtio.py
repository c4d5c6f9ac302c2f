"""The vCUDA channel as a virtio device: real rings in guest RAM, the same results."""

import numpy as np

from vlab.host.ledger import Ledger
from vlab.library.accel.api import CudaApi
from vlab.library.accel.backend import Backend
from vlab.library.accel.device import Accelerator
from vlab.library.accel.errors import CUresult
from vlab.library.accel.protocol import Op, encode_request
from vlab.library.accel.virtio_accel import REPLY_AT, VirtioTransport
from vlab.library.accel.workload import run_workload


def test_the_workload_gives_the_same_result_over_a_virtqueue():
    native, virtio = run_workload("matmul", 16), run_workload("matmul", 16, "virtio")
    assert np.array_equal(native.output, virtio.output)
    counts = virtio.ledger.counts
    assert counts["vm_exit"] == virtio.calls == counts["interrupt"]     # one kick per call
    assert counts["dma_byte"] == virtio.bytes_moved
    assert native.cycles < virtio.cycles < run_workload("matmul", 16, "vm").cycles


def test_two_vms_on_one_device_cannot_see_each_other():
    backend = Backend(Accelerator(ledger=Ledger()))
    victim = CudaApi(VirtioTransport(backend, "vm-1"))
    attacker = CudaApi(VirtioTransport(backend, "vm-2"))
    victim.cuInit(), attacker.cuInit()
    _, secret = victim.cuMemAlloc(64)
    victim.cuMemcpyHtoD(secret, b"s" * 64)
    assert attacker.cuMemcpyDtoH(secret, 64)[0] == CUresult.CUDA_ERROR_INVALID_VALUE


def test_a_descriptor_outside_guest_ram_gets_an_error_reply():
    channel = VirtioTransport(Backend(Accelerator()), "vm-1")
    base = channel.memory.base
    request = encode_request(Op.cuInit, [("u", 0)])
    channel.bus.write_bytes(base + 0x2_0000, request)
    channel.driver.add_chain(0, [(0x1000_0000, len(request), False),      # not guest RAM
                                 (base + REPLY_AT, 256, True)])
    channel.driver.publish(0)
    channel.driver.kick(0)
    [(_, length)] = channel.driver.used(0)
    reply = channel.bus.read_bytes(base + REPLY_AT, length)
    assert reply.startswith(b"VCR1") and b"not in guest RAM" in reply


def test_a_request_larger_than_the_buffer_is_refused_with_a_reason():
    cu = CudaApi(VirtioTransport(Backend(Accelerator()), "vm-1"))
    cu.cuInit()
    _, buffer = cu.cuMemAlloc(1 << 20)
    assert cu.cuMemcpyHtoD(buffer, bytes(1 << 20)) == CUresult.CUDA_ERROR_INVALID_VALUE
    assert "smaller pieces" in cu.last_error
