"""The back end on the host: receives a request, runs it on the device, sends a reply.

vCUDA's "stub" in the host (Shi et al. 2009, sec. 4.3) and rCUDA's server daemon (Duato
et al. 2010, sec. IV) do the same thing: unpack the call, issue it to the real driver on
behalf of a client, pack the result.  Each client is a tenant of the device: the back end
passes the client's identity, never one the message claims, so a client cannot name
another's memory (the device checks every pointer against the caller's allocations).

A malformed message or a failing call never raises: the reply carries the CUresult and
the reason as text.
"""

from __future__ import annotations

from .device import Accelerator
from .errors import CudaError, CUresult
from .kernels import KERNELS
from .protocol import Op, ProtocolError, decode_request, encode_reply

FUNCTION_NAMES = sorted(KERNELS)      # a CUfunction handle is 1 + its index here


class Backend:
    """Serves requests for any number of clients on one Accelerator."""

    def __init__(self, device: Accelerator):
        self.device = device
        self.initialized: set[str] = set()

    def handle(self, client: str, message: bytes) -> bytes:
        """The reply to one request ``message`` from ``client``."""
        try:
            op, args, payload = decode_request(message)
            values, data = self._run(client, op, [v for _, v in args], payload)
        except ProtocolError as exc:
            return encode_reply(CUresult.CUDA_ERROR_INVALID_VALUE, (),
                                f"malformed request: {exc}".encode())
        except CudaError as exc:
            return encode_reply(exc.result, (), exc.why.encode())
        return encode_reply(CUresult.CUDA_SUCCESS, values, data)

    def _run(self, client: str, op: Op, args: list, payload: bytes):
        if op is Op.cuInit:
            self.initialized.add(client)
            return [], b""
        if client not in self.initialized:
            raise CudaError(CUresult.CUDA_ERROR_NOT_INITIALIZED,
                            f"{op.name} before cuInit")
        _need(op, args, ARITY[op])
        device = self.device
        if op is Op.cuMemAlloc:
            return [device.alloc(client, args[0])], b""
        if op is Op.cuMemFree:
            device.free(client, args[0])
        elif op is Op.cuMemcpyHtoD:
            device.write(client, args[0], payload)
        elif op is Op.cuMemcpyDtoH:
            return [], device.read(client, args[0], args[1])
        elif op is Op.cuModuleGetFunction:
            name = payload.decode("utf-8", "replace")
            if name not in KERNELS:
                raise CudaError(CUresult.CUDA_ERROR_NOT_FOUND,
                                f"cuModuleGetFunction: no kernel {name!r} "
                                f"(the module has {', '.join(FUNCTION_NAMES)})")
            return [1 + FUNCTION_NAMES.index(name)], b""
        elif op is Op.cuLaunchKernel:
            handle = args[0]
            if not 1 <= handle <= len(FUNCTION_NAMES):
                raise CudaError(CUresult.CUDA_ERROR_INVALID_HANDLE,
                                f"cuLaunchKernel: {handle} is not a function handle")
            device.launch(client, FUNCTION_NAMES[handle - 1], tuple(args[1:4]),
                          tuple(args[4:7]), args[7:])
        elif op is Op.cuCtxDestroy:
            device.release(client)
            self.initialized.discard(client)
        return [], b""


ARITY = {Op.cuMemAlloc: 1, Op.cuMemFree: 1, Op.cuMemcpyHtoD: 1, Op.cuMemcpyDtoH: 2,
         Op.cuModuleGetFunction: 0, Op.cuLaunchKernel: 7, Op.cuCtxSynchronize: 0,
         Op.cuCtxDestroy: 0}


def _need(op: Op, args: list, count: int) -> None:
    if op is Op.cuLaunchKernel and len(args) >= count:
        return
    if len(args) != count:
        raise ProtocolError(f"{op.name} takes {count} arguments, the request has "
                            f"{len(args)}")
