/* cuda.h for vlab guest programs: the subset of the CUDA driver API that the
   modeled accelerator serves, with the real names, types and CUresult values of
   NVIDIA's cuda.h.  Implemented by cuda_front.c, which marshals each call
   (vlab/library/accel/protocol.py) and sends it through /dev/accel0. */
#ifndef VLAB_CUDA_H
#define VLAB_CUDA_H

#include <stddef.h>

typedef enum cudaError_enum {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700,
    CUDA_ERROR_LAUNCH_FAILED = 719
} CUresult;

typedef unsigned int CUdeviceptr;
typedef struct CUfunc_st *CUfunction;

/* A kernel argument: the driver API passes void **kernelParams; a remoting front
   end must know each argument's kind to marshal it (vCUDA does this from the
   kernel's signature), so here the caller says it. */
typedef struct { char kind; unsigned int value; } CUarg;   /* 'u', 'p' or 'f' bits */

CUresult cuInit(unsigned int Flags);
CUresult cuMemAlloc(CUdeviceptr *dptr, size_t bytesize);
CUresult cuMemFree(CUdeviceptr dptr);
CUresult cuMemcpyHtoD(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount);
CUresult cuMemcpyDtoH(void *dstHost, CUdeviceptr srcDevice, size_t ByteCount);
CUresult cuModuleGetFunction(CUfunction *hfunc, void *hmod, const char *name);
CUresult cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY,
                        unsigned int gridDimZ, unsigned int blockDimX,
                        unsigned int blockDimY, unsigned int blockDimZ,
                        unsigned int sharedMemBytes, void *hStream,
                        const CUarg *kernelParams, unsigned int numParams);
CUresult cuCtxSynchronize(void);

#endif
