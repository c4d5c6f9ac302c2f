/* A 128 KiB round trip through device memory, then a reduce kernel over it: copies larger
 * than one reply buffer of the VM's front end (it splits cuMemcpyDtoH into pieces; a
 * cuMemcpyHtoD descriptor points at the caller's array, whatever its size).  The same
 * output natively and in a VM. */
#include <cuda.h>
#include "portable.h"

#define N 32768

static float src[N], back[N], sum[1];

int main(void)
{
    for (int i = 0; i < N; i++)
        src[i] = (i % 97) * 0.5f;
    CUdeviceptr d, dsum;
    CUfunction reduce;
    CHECK(cuInit(0));
    CHECK(cuMemAlloc(&d, sizeof src));
    CHECK(cuMemAlloc(&dsum, sizeof sum));
    CHECK(cuMemcpyHtoD(d, src, sizeof src));
    CHECK(cuMemcpyDtoH(back, d, sizeof back));
    CHECK(cuModuleGetFunction(&reduce, 0, "reduce"));
    CUarg args[] = { { 'u', N }, { 'p', d }, { 'p', dsum } };
    CHECK(cuLaunchKernel(reduce, N / 256, 1, 1, 256, 1, 1, 0, 0, args, 3));
    CHECK(cuMemcpyDtoH(sum, dsum, sizeof sum));
    CHECK(cuMemFree(d));
    CHECK(cuMemFree(dsum));
    printf("bigcopy %d bytes: round trip %s, checksum %08x, reduce %08x\n", (int)sizeof src,
           memcmp(src, back, sizeof src) == 0 ? "identical" : "DIFFERENT",
           checksum(back, N), float_bits(sum[0]));
    return 0;
}
