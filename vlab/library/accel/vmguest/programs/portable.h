/* portable.h -- what a vlab accelerator demo needs from a C library, from either one:
 * musl (the program runs natively on the host kernel, `vlab lib accel-run`) or the
 * bare-metal runtime vlab.h (the program is a whole VM, `vlab vm run --accel remote`,
 * built with -DVLAB_BARE).  The bare runtime's printf has no floating point, so the
 * programs print float results as integers and as their IEEE-754 bit patterns: the
 * output is byte for byte the same on both paths. */
#ifndef VLAB_PORTABLE_H
#define VLAB_PORTABLE_H
#ifdef VLAB_BARE
#include <vlab.h>
#else
#include <stdio.h>
#include <string.h>
#endif

static inline unsigned float_bits(float f)
{
    unsigned u;
    memcpy(&u, &f, 4);
    return u;
}

/* a checksum of n floats: every bit counts, order matters */
static inline unsigned checksum(const float *v, int n)
{
    unsigned h = 2166136261u;                      /* FNV-1a over the 32-bit words */
    for (int i = 0; i < n; i++)
        h = (h ^ float_bits(v[i])) * 16777619u;
    return h;
}

#define CHECK(call) do { CUresult r_ = (call); if (r_) { \
    printf("%s failed: CUresult %d\n", #call, (int)r_); return 1; } } while (0)

#endif
