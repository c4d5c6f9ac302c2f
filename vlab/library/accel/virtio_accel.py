"""vCUDA over virtio: the remoting channel as a paravirtual device of the VM.

vCUDA passed marshaled calls from the guest to the host through a channel of the VMM
(Shi et al. 2009, sec. 4); today's paravirtual channel is virtio (OASIS *Virtual I/O
Device (VIRTIO) Version 1.1*).  This module gives the accelerator's back end a virtio
device type, for the VMM's virtio-mmio transport (``vlab/hardware/io/virtio_mmio.py``):

* one queue, ``callq``: each chain is a request (device-readable buffers holding one
  marshaled call, ``protocol.py``) followed by a reply buffer (device-writable); the
  device runs the call on the back end for *this VM* and writes the reply;
* the device ID is ``VIRTIO_ID_VLAB_ACCEL`` (0x766C, 'vl'): not an ID OASIS assigned --
  vCUDA's channel was private to its VMM too.

``VirtioTransport`` is the guest's side for the API front end (``api.py``): it puts the
request and a reply buffer in guest RAM, adds the chain, kicks the queue (an MMIO store:
one VM exit, ``vm_exit``) and reads the reply the device wrote; the device's copies
count ``dma_byte`` each, its completion an ``interrupt``.  The guest's driver is the
Python virtio driver of ``vlab/hardware/io/pydriver.py`` (the steps of virtio sec. 3.1.1
and 2.6.13); ``vmguest/vcuda_virtio.c`` runs the same steps in C, as the cuda.h library of
a bare-metal guest in a whole VM (``vlab vm run GUEST --cpu hw --accel remote``).
"""

from __future__ import annotations

from vlab.hardware.guest_memory import GuestMemory
from vlab.hardware.io.guest_dma import DmaFault, GuestDma
from vlab.hardware.io.pydriver import PyVirtioDriver
from vlab.hardware.io.virtio_mmio import VIRTIO_F_VERSION_1, VirtioMmio
from vlab.host.platform import Platform

from .backend import Backend
from .errors import CUresult
from .protocol import HEADER, REQUEST_MAGIC, Op, encode_reply

VIRTIO_ID_VLAB_ACCEL = 0x766C
CALLQ = 0
QUEUE_SIZE = 8
GUEST_RAM = 1 << 20
QUEUES_AT = 0x1_0000           # offsets in guest RAM: the rings, then the buffers
REQUEST_AT, REPLY_AT = 0x2_0000, 0x6_0000
BUFFER = 0x4_0000              # bytes for a request, and as many for a reply


class VirtioAccel:
    """The device type: calls from the chains of ``callq`` run on ``backend`` for
    ``client`` (the VM's name, fixed by the VMM -- never taken from the request)."""

    device_id = VIRTIO_ID_VLAB_ACCEL
    features = 1 << VIRTIO_F_VERSION_1
    queue_max = (QUEUE_SIZE,)
    config = bytes(4)

    def __init__(self, backend: Backend, client: str):
        self.backend, self.client = backend, client
        self.calls = 0
        self.ops: dict[str, int] = {}     # calls by API function name (for --stats)

    def notify(self, transport, index: int) -> None:
        if index != CALLQ:
            return
        vq = transport.queue(CALLQ)
        ledger = self.backend.device.ledger
        while (chain := vq.pop()) is not None:
            try:
                request = b"".join(transport.dma.read(d.addr, d.length, "accel request")
                                   for d in chain.readable)
                reply = self.backend.handle(self.client, request)
                name = op_name(request)
                self.ops[name] = self.ops.get(name, 0) + 1
            except DmaFault as fault:
                reply = encode_reply(CUresult.CUDA_ERROR_INVALID_VALUE, (),
                                     f"bad request buffer: {fault}".encode())
                request = b""
            written = 0
            for part in chain.writable:
                piece = reply[written:written + part.length]
                if piece:
                    transport.dma.write(part.addr, piece, "accel reply")
                written += len(piece)
            ledger.charge("dma_byte", len(request) + written)
            self.calls += 1
            vq.push(chain.head, written)


def op_name(request: bytes) -> str:
    """The API function a request names ('malformed' if it names none)."""
    if len(request) < HEADER.size or request[:4] != REQUEST_MAGIC:
        return "malformed"
    number = int.from_bytes(request[4:6], "little")
    return Op(number).name if number in Op._value2member_map_ else "malformed"


class VirtioTransport:
    """The API front end's channel from inside a VM, over a virtio queue."""

    name = "virtio"

    def __init__(self, backend: Backend, client: str = "vm", kernel_entry: bool = True):
        self.backend, self.client = backend, client
        ledger = backend.device.ledger
        platform = Platform(ram_size=2 * GUEST_RAM)
        self.memory = GuestMemory(platform.bus, GUEST_RAM, GUEST_RAM)
        self.bus = platform.bus
        self.device = VirtioAccel(backend, client)
        self.mmio = VirtioMmio(self.device, GuestDma(self.memory, ledger))
        self.driver = PyVirtioDriver(self.bus, self.mmio, self.memory.base + QUEUES_AT,
                                     queue_size=QUEUE_SIZE)
        if not self.driver.start(1):
            raise RuntimeError(f"the accelerator's virtio device refused the driver: "
                               f"{self.mmio.error}")
        self.ledger = ledger
        self.kernel_entry = kernel_entry
        self.calls = self.bytes = 0

    def send(self, request: bytes) -> bytes:
        if len(request) > BUFFER:
            return encode_reply(CUresult.CUDA_ERROR_INVALID_VALUE, (),
                                f"a request of {len(request)} bytes does not fit the "
                                f"{BUFFER}-byte buffer: copy in smaller pieces".encode())
        self.calls += 1
        if self.kernel_entry:
            self.ledger.charge("syscall")         # the program enters the guest's driver
        base = self.memory.base
        self.bus.write_bytes(base + REQUEST_AT, request)
        self.driver.add_chain(CALLQ, [(base + REQUEST_AT, len(request), False),
                                      (base + REPLY_AT, BUFFER, True)])
        self.driver.publish(CALLQ)
        if self.driver.kick(CALLQ):
            self.ledger.charge("vm_exit")         # the notify store traps to the VMM
        self.ledger.charge("interrupt")           # completion: the used-buffer interrupt
        [(_, length)] = self.driver.used(CALLQ)
        reply = self.bus.read_bytes(base + REPLY_AT, length)
        self.bytes += len(request) + len(reply)
        return reply
