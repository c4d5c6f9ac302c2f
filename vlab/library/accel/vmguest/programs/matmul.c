/* C = A B for n x n float matrices on the accelerator (vlab's cuda.h), n = 32.
 * Entries are multiples of 1/4 with small numerators, so every product and sum is exact
 * in float32 and the trace is an exact integer.  The same source runs natively and as a
 * VM with the remoted accelerator, with the same output. */
#include <cuda.h>
#include "portable.h"

#define N 32

static float a[N * N], b[N * N], c[N * N];

int main(void)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i * N + j] = ((i + 2 * j) % 7) * 0.25f;
            b[i * N + j] = ((3 * i + j) % 5) - 2.0f;
        }
    CUdeviceptr da, db, dc;
    CUfunction matmul;
    CHECK(cuInit(0));
    CHECK(cuMemAlloc(&da, sizeof a));
    CHECK(cuMemAlloc(&db, sizeof b));
    CHECK(cuMemAlloc(&dc, sizeof c));
    CHECK(cuMemcpyHtoD(da, a, sizeof a));
    CHECK(cuMemcpyHtoD(db, b, sizeof b));
    CHECK(cuModuleGetFunction(&matmul, 0, "matmul"));
    CUarg args[] = { { 'u', N }, { 'p', da }, { 'p', db }, { 'p', dc } };
    CHECK(cuLaunchKernel(matmul, N / 16, N / 16, 1, 16, 16, 1, 0, 0, args, 4));
    CHECK(cuCtxSynchronize());
    CHECK(cuMemcpyDtoH(c, dc, sizeof c));
    CHECK(cuMemFree(da));
    CHECK(cuMemFree(db));
    CHECK(cuMemFree(dc));
    float trace = 0;
    for (int i = 0; i < N; i++)
        trace += c[i * N + i];
    printf("matmul n=%d: c[0][1]=%d trace=%d checksum %08x\n", N, (int)c[1], (int)trace,
           checksum(c, N * N));
    return 0;
}
