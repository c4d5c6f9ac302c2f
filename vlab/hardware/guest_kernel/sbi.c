/* sbi.c -- calls into the SBI firmware (RISC-V SBI v2.0, ch. 3: a7 = extension id,
 * a6 = function id, a0..a5 arguments; returns a0 = error, a1 = value). */
#include "kernel.h"

#define SBI_TIME 0x54494D45u          /* "TIME", ch. 6 */
#define SBI_DBCN 0x4442434Eu          /* "DBCN", ch. 12 */

struct sbiret sbi_call(u32 eid, u32 fid, u32 a0, u32 a1, u32 a2)
{
    register u32 r_a0 __asm__("a0") = a0;
    register u32 r_a1 __asm__("a1") = a1;
    register u32 r_a2 __asm__("a2") = a2;
    register u32 r_a6 __asm__("a6") = fid;
    register u32 r_a7 __asm__("a7") = eid;
    __asm__ volatile("ecall"
                     : "+r"(r_a0), "+r"(r_a1)
                     : "r"(r_a2), "r"(r_a6), "r"(r_a7)
                     : "memory");
    return (struct sbiret){(long)(i32)r_a0, (long)r_a1};
}

void sbi_set_timer(u64 when)
{
    sbi_call(SBI_TIME, 0, (u32)when, (u32)(when >> 32), 0);
}

void sbi_debug_write(u32 pa, u32 n)
{
    while (n) {
        struct sbiret r = sbi_call(SBI_DBCN, 0, n, pa, 0);
        if (r.error || r.value <= 0)
            return;
        pa += (u32)r.value;
        n -= (u32)r.value;
    }
}
