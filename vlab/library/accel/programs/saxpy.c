/* y = a*x + y on the accelerator, through the CUDA driver API; prints a checksum.
   The same binary runs natively, "in a VM" (vCUDA) or against a remote GPU (rCUDA). */
#include <cuda.h>
#include <stdio.h>
#include <string.h>

#define N 1024

static float x[N], y[N];

static unsigned bits(float f)
{
    unsigned u;
    memcpy(&u, &f, 4);
    return u;
}

#define CHECK(call) do { CUresult r = (call); if (r) { \
    printf("%s failed: CUresult %d\n", #call, r); return 1; } } while (0)

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
    CUarg args[] = { { 'u', N }, { 'f', bits(2.0f) }, { 'p', dx }, { 'p', dy } };
    CHECK(cuLaunchKernel(saxpy, N / 256, 1, 1, 256, 1, 1, 0, 0, args, 4));
    CHECK(cuCtxSynchronize());
    CHECK(cuMemcpyDtoH(y, dy, sizeof y));
    CHECK(cuMemFree(dx));
    CHECK(cuMemFree(dy));
    double sum = 0;
    for (int i = 0; i < N; i++)
        sum += y[i];
    printf("y[1]=%g y[%d]=%g sum=%g\n", y[1], N - 1, y[N - 1], sum);
    return 0;
}
