"""The front end: CUDA driver API calls as a program makes them, marshaled and sent.

Each method has the name and the shape of the CUDA driver API function (NVIDIA, *CUDA
Driver API*): it returns a :class:`~.errors.CUresult`, and where C returns a value
through a pointer (``CUdeviceptr *dptr``) the method returns ``(result, value)``.
``last_error`` keeps the back end's explanation of the last failure.  The same code
runs over any transport of ``transport.py``: that is the point of API remoting.
"""

from __future__ import annotations

import numpy as np

from .errors import CUresult
from .protocol import Op, ProtocolError, decode_reply, encode_request


class CudaApi:
    def __init__(self, transport):
        self.transport = transport
        self.last_error = ""

    def _call(self, op: Op, args=(), payload: bytes = b""):
        reply = self.transport.send(encode_request(op, args, payload))
        try:
            result, values, data = decode_reply(reply)
        except ProtocolError as exc:
            self.last_error = f"malformed reply: {exc}"
            return CUresult.CUDA_ERROR_INVALID_VALUE, [], b""
        result = CUresult(result)
        self.last_error = data.decode("utf-8", "replace") if result else ""
        return result, values, data

    def cuInit(self, flags: int = 0) -> CUresult:
        return self._call(Op.cuInit, [("u", flags)])[0]

    def cuMemAlloc(self, bytesize: int):
        result, values, _ = self._call(Op.cuMemAlloc, [("u", bytesize)])
        return result, (values[0] if result == 0 else 0)

    def cuMemFree(self, dptr: int) -> CUresult:
        return self._call(Op.cuMemFree, [("p", dptr)])[0]

    def cuMemcpyHtoD(self, dst: int, src) -> CUresult:
        data = src.tobytes() if isinstance(src, np.ndarray) else bytes(src)
        return self._call(Op.cuMemcpyHtoD, [("p", dst)], data)[0]

    def cuMemcpyDtoH(self, src: int, bytesize: int):
        result, _, data = self._call(Op.cuMemcpyDtoH, [("p", src), ("u", bytesize)])
        return result, (data if result == 0 else b"")

    def cuModuleGetFunction(self, name: str):
        result, values, _ = self._call(Op.cuModuleGetFunction, [], name.encode())
        return result, (values[0] if result == 0 else 0)

    def cuLaunchKernel(self, function: int, grid=(1, 1, 1), block=(1, 1, 1),
                       params=()) -> CUresult:
        """``params``: (tag, value) pairs as the kernel's row says (u, f, p)."""
        args = [("u", function), *[("u", d) for d in grid], *[("u", d) for d in block],
                *params]
        return self._call(Op.cuLaunchKernel, args)[0]

    def cuCtxSynchronize(self) -> CUresult:
        return self._call(Op.cuCtxSynchronize)[0]

    def cuCtxDestroy(self) -> CUresult:
        return self._call(Op.cuCtxDestroy)[0]
