/* The front end of the remoted CUDA driver API: each call is packed into the wire
   format of vlab/library/accel/protocol.py and sent with one ioctl on /dev/accel0.
   Whether the back end is the local driver, a VM channel or the network is decided
   outside the program. */
#include <cuda.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

struct vcuda_call { unsigned request, request_len, reply, reply_cap, reply_len; };
#define VCUDA_IOC_CALL _IOWR('V', 1, struct vcuda_call)

enum { OP_INIT = 1, OP_ALLOC, OP_FREE, OP_HTOD, OP_DTOH, OP_GETFUNC, OP_LAUNCH, OP_SYNC };

static int dev = -1;
static unsigned char *buf, *reply;
static size_t cap;

static int grow(size_t need)
{
    if (need <= cap)
        return 0;
    unsigned char *b = realloc(buf, need), *r = realloc(reply, need);
    if (!b || !r)
        return -1;
    buf = b, reply = r, cap = need;
    return 0;
}

static void put32(unsigned char *p, unsigned v)
{
    p[0] = v, p[1] = v >> 8, p[2] = v >> 16, p[3] = v >> 24;
}

static unsigned get32(const unsigned char *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (unsigned)p[3] << 24;
}

/* one call: nargs (kind, value) pairs and a payload; values and data of the reply */
static CUresult call(int op, int nargs, const CUarg *args, const void *payload,
                     size_t length, unsigned *values, void *out, size_t out_len)
{
    size_t size = 12 + 8 * nargs + length;
    if (dev < 0 || grow(size + out_len + 64))
        return dev < 0 ? CUDA_ERROR_NOT_INITIALIZED : CUDA_ERROR_OUT_OF_MEMORY;
    memcpy(buf, "VCU1", 4);
    buf[4] = op, buf[5] = 0, buf[6] = nargs, buf[7] = 0;
    put32(buf + 8, length);
    for (int i = 0; i < nargs; i++) {
        unsigned char *a = buf + 12 + 8 * i;
        memset(a, 0, 4);
        a[0] = args[i].kind;
        put32(a + 4, args[i].value);
    }
    if (length)
        memcpy(buf + 12 + 8 * nargs, payload, length);
    struct vcuda_call c = { (unsigned)buf, size, (unsigned)reply, cap, 0 };
    if (ioctl(dev, VCUDA_IOC_CALL, &c) < 0)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult result = reply[4] | reply[5] << 8;
    unsigned nvals = reply[6], plen = get32(reply + 8);
    for (unsigned i = 0; values && i < nvals; i++)
        values[i] = get32(reply + 12 + 4 * i);
    if (out && result == CUDA_SUCCESS)
        memcpy(out, reply + 12 + 4 * nvals, plen < out_len ? plen : out_len);
    return result;
}

CUresult cuInit(unsigned int flags)
{
    if (dev < 0)
        dev = open("/dev/accel0", O_RDWR);
    CUarg a = { 'u', flags };
    return call(OP_INIT, 1, &a, 0, 0, 0, 0, 0);
}

CUresult cuMemAlloc(CUdeviceptr *dptr, size_t bytesize)
{
    CUarg a = { 'u', bytesize };
    return call(OP_ALLOC, 1, &a, 0, 0, dptr, 0, 0);
}

CUresult cuMemFree(CUdeviceptr dptr)
{
    CUarg a = { 'p', dptr };
    return call(OP_FREE, 1, &a, 0, 0, 0, 0, 0);
}

CUresult cuMemcpyHtoD(CUdeviceptr dst, const void *src, size_t n)
{
    CUarg a = { 'p', dst };
    return call(OP_HTOD, 1, &a, src, n, 0, 0, 0);
}

CUresult cuMemcpyDtoH(void *dst, CUdeviceptr src, size_t n)
{
    CUarg a[2] = { { 'p', src }, { 'u', n } };
    return call(OP_DTOH, 2, a, 0, 0, 0, dst, n);
}

CUresult cuModuleGetFunction(CUfunction *f, void *module, const char *name)
{
    unsigned handle = 0;
    (void)module;
    CUresult r = call(OP_GETFUNC, 0, 0, name, strlen(name), &handle, 0, 0);
    *f = (CUfunction)(size_t)handle;
    return r;
}

CUresult cuLaunchKernel(CUfunction f, unsigned gx, unsigned gy, unsigned gz,
                        unsigned bx, unsigned by, unsigned bz, unsigned shared,
                        void *stream, const CUarg *params, unsigned nparams)
{
    CUarg a[16] = { { 'u', (unsigned)(size_t)f }, { 'u', gx }, { 'u', gy }, { 'u', gz },
                    { 'u', bx }, { 'u', by }, { 'u', bz } };
    (void)shared, (void)stream;
    if (nparams > 9)
        return CUDA_ERROR_INVALID_VALUE;
    for (unsigned i = 0; i < nparams; i++)
        a[7 + i] = params[i];
    return call(OP_LAUNCH, 7 + nparams, a, 0, 0, 0, 0, 0);
}

CUresult cuCtxSynchronize(void)
{
    return call(OP_SYNC, 0, 0, 0, 0, 0, 0, 0);
}
