/* hostile.c -- a guest that abuses the accelerator's virtio channel (the tests' attacker).
 *
 * Linked with vcuda_virtio.c; its job is read from a parameter block the host writes
 * into guest RAM at 0x80400000 before the run (struct params), and it writes what it got
 * back there.  Each op tries one thing a guest must not be able to do:
 *   1: a request descriptor outside the guest's RAM (at `target`, e.g. the VMM's memory)
 *   2: a reply descriptor outside the guest's RAM (the device must not write there)
 *   3: a malformed message (bad magic, then an announced length that does not match)
 *   4: another tenant's device pointer `target`: copy it back, free it, launch on it
 *   5: (the victim, another VM) allocate 64 bytes, copy `text` into them, keep them, and
 *      leave the device pointer in `target`
 * `result` is the CUresult of the (first) call, -1 when the device stopped using the
 * queue; `text` the back end's error text; `data` the first bytes a copy returned.
 */
#include <cuda.h>
#include <vlab.h>

struct params {
    unsigned op, target, result, free_result, launch_result, status;
    char text[128];
    unsigned char data[16];
};
#define P ((volatile struct params *)0x80400000u)

int vcuda_raw(unsigned req, unsigned req_len, unsigned rep, unsigned rep_cap);
const char *vcuda_last_error(void);

static unsigned char request[64], reply[256];

static unsigned reply_result(int got)
{
    return got < 12 ? (unsigned)-1 : (unsigned)(reply[4] | reply[5] << 8);
}

static void keep_text(const unsigned char *from, int got)
{
    int at = 12 + 4 * reply[6], i = 0;
    for (; i < 127 && at + i < got; i++)
        P->text[i] = from[at + i];
    P->text[i] = 0;
}

int main(void)
{
    unsigned op = P->op;
    int got;
    if (op == 1) {
        got = vcuda_raw(P->target, 64, (unsigned)reply, sizeof reply);
        P->result = reply_result(got);
        keep_text(reply, got);
    } else if (op == 2) {
        memcpy(request, "VCU1\x01\0\0\0\0\0\0\0", 12);           /* cuInit, no args */
        got = vcuda_raw((unsigned)request, 12, P->target, 256);
        P->result = got < 0 ? (unsigned)-1 : reply_result(got);
        P->status = *(volatile unsigned *)0x10007070u;           /* the device's Status */
    } else if (op == 3) {
        memcpy(request, "XCU1\x01\0\0\0\0\0\0\0", 12);           /* wrong magic */
        got = vcuda_raw((unsigned)request, 12, (unsigned)reply, sizeof reply);
        P->result = reply_result(got);
        keep_text(reply, got);
        memcpy(request, "VCU1\x02\0\x01\0\xff\0\0\0", 12);       /* says 255 bytes follow */
        got = vcuda_raw((unsigned)request, 20, (unsigned)reply, sizeof reply);
        P->free_result = reply_result(got);
    } else if (op == 4) {
        unsigned char data[16];
        CUfunction f;
        memset(data, 0, sizeof data);
        if (cuInit(0) != CUDA_SUCCESS)
            return 3;
        P->result = cuMemcpyDtoH(data, P->target, sizeof data);
        const char *why = vcuda_last_error();
        int i = 0;
        for (; i < 127 && why[i]; i++)
            P->text[i] = why[i];
        P->text[i] = 0;
        for (i = 0; i < 16; i++)
            P->data[i] = data[i];
        P->free_result = cuMemFree(P->target);
        cuModuleGetFunction(&f, 0, "saxpy");
        CUarg args[] = { { 'u', 4 }, { 'f', 0 }, { 'p', P->target }, { 'p', P->target } };
        P->launch_result = cuLaunchKernel(f, 1, 1, 1, 4, 1, 1, 0, 0, args, 4);
    } else if (op == 5) {
        CUdeviceptr mine;
        unsigned char secret[64];
        for (int i = 0; i < 64; i++)
            secret[i] = P->text[i];
        if (cuInit(0) || cuMemAlloc(&mine, 64) || cuMemcpyHtoD(mine, secret, 64))
            return 4;
        P->target = mine;
    } else {
        return 2;
    }
    return 0;
}
