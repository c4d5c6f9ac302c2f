"""``/dev/accel0``: the accelerator's device driver in the host kernel.

A guest C program (``include/cuda.h``, ``programs/cuda_front.c``) reaches the device as
a Linux program reaches a GPU driver: it opens the device file and issues ``ioctl``
calls.  One ioctl, ``VCUDA_IOC_CALL``, carries one marshaled API call (``protocol.py``):
its argument points to ``struct vcuda_call { u32 request, request_len, reply,
reply_cap, reply_len; }`` in the caller's memory; the driver copies the request in,
hands it to a transport (``transport.py``) and copies the reply out.  Behind the same
file the transport may be the local back end (native), a VM channel (vCUDA) or the
network (rCUDA): the program cannot tell, which is the point.

``attach_accel(kernel, proc, transport)`` mounts a one-file device directory at
``/dev`` of the process's mount namespace (major 195 is the one Linux gives NVIDIA's
character devices, ``Documentation/admin-guide/devices.txt``).
"""

from __future__ import annotations

import struct

from vlab.os.errno import EFAULT, EINVAL, ENOSPC, ENOTTY, SyscallError
from vlab.os.vfs.devfs import DeviceInode
from vlab.os.vfs.namei import lookup
from vlab.os.vfs.openfile import OpenFile
from vlab.os.vfs.ramfs import RamFs

from .protocol import MAX_PAYLOAD

CALL = struct.Struct("<5I")
# _IOWR('V', 1, struct vcuda_call): dir 3 << 30 | size << 16 | type << 8 | nr
VCUDA_IOC_CALL = (3 << 30) | (CALL.size << 16) | (ord("V") << 8) | 1
ACCEL_MAJOR = 195


class AccelFile(OpenFile):
    """An open ``/dev/accel0``: ioctls become calls on ``transport``."""

    def __init__(self, kernel, transport, flags: int = 0, location=None):
        super().__init__(flags, location)
        self.kernel, self.transport = kernel, transport

    def ioctl(self, request: int, arg: int) -> int:
        if request != VCUDA_IOC_CALL:
            raise SyscallError(ENOTTY, f"ioctl {request:#x} on /dev/accel0: the driver "
                                       f"knows VCUDA_IOC_CALL ({VCUDA_IOC_CALL:#x}) only")
        space = self.kernel.current.space
        req, req_len, reply_at, reply_cap, _ = CALL.unpack(space.read(arg, CALL.size))
        if req_len > MAX_PAYLOAD:
            raise SyscallError(EINVAL, f"request of {req_len} bytes is too large")
        try:
            message = space.read(req, req_len)
        except SyscallError:
            raise SyscallError(EFAULT, "the request buffer is not readable") from None
        reply = self.transport.send(message)
        if len(reply) > reply_cap:
            raise SyscallError(ENOSPC, f"the reply needs {len(reply)} bytes, the buffer "
                                       f"holds {reply_cap}")
        space.write(reply_at, reply)
        space.write(arg + 16, struct.pack("<I", len(reply)))
        return 0


def attach_accel(kernel, proc, transport) -> None:
    """Give ``proc`` (and its mount namespace) a ``/dev/accel0`` served by ``transport``.
    The process's root needs a ``dev`` directory to mount on."""
    fs = RamFs("accel")
    fs.root.add("accel0", DeviceInode(fs, ACCEL_MAJOR, 0,
                                      lambda flags, loc: AccelFile(kernel, transport,
                                                                   flags, loc)))
    target = lookup(proc.fs, proc.fs.root, "/dev")
    proc.files.mnt_ns.mount(fs, target)
