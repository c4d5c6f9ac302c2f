"""Accelerator API remoting (vCUDA, rCUDA): a modeled accelerator and a CUDA-shaped API.

One concept per module:

``errors.py``    CUresult: the CUDA driver API's error codes (real values)
``kernels.py``   the device's kernels (saxpy, reduction, matmul, stencil), run with numpy
``device.py``    the accelerator: device memory, allocations per tenant, costs on the ledger
``protocol.py``  the wire format of one API call and its reply (bytes, checked)
``backend.py``   the back end on the host: decodes a call, runs it on the device
``transport.py`` how a call reaches the back end: native (device driver), VM channel
                 (vCUDA), network (rCUDA) -- each charging its own costs
``api.py``       the front end: ``cuInit``, ``cuMemAlloc``, ... as a program sees them
``workload.py``  a guest workload run through any transport (the chapter's experiment)

The API has the shape of the CUDA driver API (NVIDIA, *CUDA Driver API*, "Error
Handling", "Memory Management", "Execution Control"); remoting follows vCUDA (Shi, Chen
& Sun, IPDPS 2009; IEEE Trans. Computers 2012) and rCUDA (Duato et al., HPCS 2010).
"""
