/* y = a*x + y on the accelerator through the CUDA driver API (vlab's cuda.h).
 * The same source runs natively (`vlab lib accel-run --accel native`) and as a whole VM
 * whose cuda.h calls cross a virtio queue (`vlab vm run --cpu hw --accel remote`); the
 * output is the same. */
#include <cuda.h>
#include "portable.h"

#define N 1024

static float x[N], y[N];

int main(void)
{
    for (int i = 0; i < N; i++)
        x[i] = i * 0.5f, y[i] = 1.0f;
    CUdeviceptr dx, dy;
    CUfunction saxpy;
    CHECK(cuInit(0));
    CHECK(cuMemAlloc(&dx, sizeof x));
    CHECK(cuMemAlloc(&dy, sizeof y));
    CHECK(cuMemcpyHtoD(dx, x, sizeof x));
    CHECK(cuMemcpyHtoD(dy, y, sizeof y));
    CHECK(cuModuleGetFunction(&saxpy, 0, "saxpy"));
    CUarg args[] = { { 'u', N }, { 'f', float_bits(2.0f) }, { 'p', dx }, { 'p', dy } };
    CHECK(cuLaunchKernel(saxpy, N / 256, 1, 1, 256, 1, 1, 0, 0, args, 4));
    CHECK(cuCtxSynchronize());
    CHECK(cuMemcpyDtoH(y, dy, sizeof y));
    CHECK(cuMemFree(dx));
    CHECK(cuMemFree(dy));
    printf("saxpy n=%d a=2: y[1]=%d y[%d]=%d (bits %08x) checksum %08x\n", N, (int)y[1],
           N - 1, (int)y[N - 1], float_bits(y[N - 1]), checksum(y, N));
    return 0;
}
