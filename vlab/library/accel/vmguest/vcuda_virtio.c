/* vcuda_virtio.c -- the guest's CUDA driver API library over a virtio queue (vCUDA).
 *
 * A bare-metal front end: the cuda.h functions of vlab/library/accel/include/cuda.h,
 * each marshaled into the wire format of vlab/library/accel/protocol.py ("VCU1" header,
 * tagged 32-bit arguments, payload) and handed to the accelerator's virtio device
 * (vlab/library/accel/virtio_accel.py, device ID 0x766C) at the first extra virtio slot
 * of the VM, 0x10007000 (vlab/hardware/io/attach.py, attach_virtio_device).  This is
 * what vCUDA's guest library does over its VMM channel (Shi et al., IPDPS 2009, sec. 4.2),
 * with virtio as the channel (OASIS virtio 1.1: sec. 3.1.1 start-up, 2.6 split virtqueues,
 * 4.2 the MMIO transport).
 *
 * One call is one descriptor chain: the request (device-readable; for cuMemcpyHtoD a
 * second readable descriptor points straight at the caller's data, no copy) and a reply
 * buffer (device-writable).  One store to QueueNotify -- one VM exit -- sends it; the
 * back end runs the call inside that exit, so on return the used ring already holds the
 * reply (the driver polls it; it asked for no interrupts).  Large cuMemcpyDtoH copies go
 * in REPLY_CAP pieces.  vcuda_raw() sends any bytes from any guest-physical address: the
 * tests' hostile guests use it.
 */
#include <cuda.h>
#include <vlab.h>

typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;
typedef unsigned long long u64;

#define ACCEL 0x10007000u
#define DEVICE_ID 0x766Cu
#define QSIZE 8
#define REPLY_CAP 0x10000u
#define REQ_CAP 256u

enum { OP_INIT = 1, OP_ALLOC, OP_FREE, OP_HTOD, OP_DTOH, OP_GETFUNC, OP_LAUNCH, OP_SYNC };
enum { F_NEXT = 1, F_WRITE = 2 };

struct desc { u64 addr; u32 len; u16 flags; u16 next; };
static struct {
    struct desc desc[QSIZE];                                /* 16-byte aligned table */
    u16 avail[2 + QSIZE + 1] __attribute__((aligned(4096)));   /* flags idx ring event */
    u32 used[1 + 2 * QSIZE + 1] __attribute__((aligned(4096))); /* flags|idx, {id,len} */
} ring __attribute__((aligned(4096)));
static u8 request[REQ_CAP] __attribute__((aligned(16)));
static u8 reply[REPLY_CAP] __attribute__((aligned(16)));
static u16 next_avail;
static int started = -1;               /* -1 not yet, 0 running, else the start error */
unsigned vcuda_exits;                  /* QueueNotify stores: one VM exit each */

static volatile u32 *reg(u32 off) { return (volatile u32 *)(ACCEL + off); }
static void fence(void) { __asm__ volatile("fence rw, rw" ::: "memory"); }

/* virtio sec. 3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, the queue, DRIVER_OK */
static int start(void)
{
    if (*reg(0x000) != 0x74726976u || *reg(0x004) != 2 || *reg(0x008) != DEVICE_ID)
        return 1;
    *reg(0x070) = 0;
    *reg(0x070) = 1;
    *reg(0x070) = 1 | 2;
    *reg(0x014) = 1;
    *reg(0x024) = 1;
    *reg(0x020) = *reg(0x010) & 1;                 /* VIRTIO_F_VERSION_1 (bit 32) */
    *reg(0x024) = 0;
    *reg(0x020) = 0;
    *reg(0x070) = 1 | 2 | 8;
    if (!(*reg(0x070) & 8))
        return 2;
    *reg(0x030) = 0;                               /* callq */
    if (*reg(0x034) < QSIZE)
        return 3;
    *reg(0x038) = QSIZE;
    ring.avail[0] = 1;                             /* VIRTQ_AVAIL_F_NO_INTERRUPT: we poll */
    *reg(0x080) = (u32)ring.desc;   *reg(0x084) = 0;
    *reg(0x090) = (u32)ring.avail;  *reg(0x094) = 0;
    *reg(0x0a0) = (u32)ring.used;   *reg(0x0a4) = 0;
    *reg(0x044) = 1;
    *reg(0x070) = 1 | 2 | 8 | 4;
    return 0;
}

/* Send one chain of `n` buffers (address, length, device-writable?); returns the bytes
   the device wrote, or -1 if it stopped using the queue (DEVICE_NEEDS_RESET). */
int vcuda_chain(int n, const u32 *addr, const u32 *len, const int *writable)
{
    if (started < 0)
        started = start();
    if (started)
        return -1;
    for (int i = 0; i < n; i++) {
        ring.desc[i].addr = addr[i];
        ring.desc[i].len = len[i];
        ring.desc[i].flags = (i + 1 < n ? F_NEXT : 0) | (writable[i] ? F_WRITE : 0);
        ring.desc[i].next = i + 1;
    }
    ring.avail[2 + next_avail % QSIZE] = 0;
    next_avail++;
    fence();
    ((volatile u16 *)ring.avail)[1] = next_avail;
    fence();
    *reg(0x050) = 0;                               /* QueueNotify: the exit */
    vcuda_exits++;
    fence();
    if ((u16)(((volatile u32 *)ring.used)[0] >> 16) != next_avail)
        return -1;                                 /* the device refused the chain */
    return (int)((volatile u32 *)ring.used)[1 + 2 * ((next_avail - 1) % QSIZE) + 1];
}

/* Any request bytes at any guest-physical address, a reply buffer likewise. */
int vcuda_raw(u32 req, u32 req_len, u32 rep, u32 rep_cap)
{
    u32 addr[2] = { req, rep }, len[2] = { req_len, rep_cap };
    int writable[2] = { 0, 1 };
    return vcuda_chain(2, addr, len, writable);
}

static void put32(u8 *p, u32 v) { p[0] = v, p[1] = v >> 8, p[2] = v >> 16, p[3] = v >> 24; }
static u32 get32(const u8 *p) { return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24; }

/* one call: marshal, send (payload by reference), unmarshal values and data */
static CUresult call(int op, int nargs, const CUarg *args, const void *payload, u32 length,
                     unsigned *values, void *out, u32 out_len)
{
    u32 size = 12 + 8 * nargs;
    memcpy(request, "VCU1", 4);
    request[4] = op, request[5] = 0, request[6] = nargs, request[7] = 0;
    put32(request + 8, length);
    for (int i = 0; i < nargs; i++) {
        u8 *a = request + 12 + 8 * i;
        memset(a, 0, 4);
        a[0] = args[i].kind;
        put32(a + 4, args[i].value);
    }
    u32 addr[3] = { (u32)request, (u32)payload, (u32)reply };
    u32 len[3] = { size, length, REPLY_CAP };
    int writable[3] = { 0, 0, 1 };
    int got = length ? vcuda_chain(3, addr, len, writable)
                     : vcuda_chain(2, (u32[]){ addr[0], addr[2] }, (u32[]){ size, REPLY_CAP },
                                   (int[]){ 0, 1 });
    if (got < 12 || memcmp(reply, "VCR1", 4) != 0)
        return CUDA_ERROR_INVALID_VALUE;
    CUresult result = reply[4] | reply[5] << 8;
    u32 nvals = reply[6], plen = get32(reply + 8);
    for (u32 i = 0; values && i < nvals; i++)
        values[i] = get32(reply + 12 + 4 * i);
    if (out && result == CUDA_SUCCESS)
        memcpy(out, reply + 12 + 4 * nvals, plen < out_len ? plen : out_len);
    return result;
}

/* the text the back end sent with the last error (NUL-terminated) */
const char *vcuda_last_error(void)
{
    u32 plen = get32(reply + 8), at = 12 + 4 * reply[6];
    if (at + plen >= REPLY_CAP)
        plen = REPLY_CAP - at - 1;
    reply[at + plen] = 0;
    return (const char *)reply + at;
}

CUresult cuInit(unsigned int flags)
{
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
    for (size_t done = 0; done < n; done += REPLY_CAP - 64) {
        size_t piece = n - done < REPLY_CAP - 64 ? n - done : REPLY_CAP - 64;
        CUarg a[2] = { { 'p', src + done }, { 'u', piece } };
        CUresult r = call(OP_DTOH, 2, a, 0, 0, 0, (u8 *)dst + done, piece);
        if (r != CUDA_SUCCESS)
            return r;
    }
    return CUDA_SUCCESS;
}

CUresult cuModuleGetFunction(CUfunction *f, void *module, const char *name)
{
    unsigned handle = 0;
    (void)module;
    CUresult r = call(OP_GETFUNC, 0, 0, name, strlen(name), &handle, 0, 0);
    *f = (CUfunction)(size_t)handle;
    return r;
}

CUresult cuLaunchKernel(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                        unsigned by, unsigned bz, unsigned shared, void *stream,
                        const CUarg *params, unsigned nparams)
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
