/* console.c -- where the kernel's and the program's output goes.
 *
 * Native build: the 16550 UART driver (uart.c), a byte at a time.  Paravirtual build:
 * one SBI DBCN console_write call per buffer (SBI v2.0 ch. 12), the paravirtual console:
 * a guest that knows it is virtualized hands the VMM a whole buffer instead of making it
 * emulate a device register by register (Xen's HYPERVISOR_console_io is the same idea).
 */
#include "kernel.h"

#ifdef PARAVIRT
static char bounce[512];              /* kernel memory: identity-mapped, so guest-physical */
#endif

void console_write(const char *buf, u32 n)
{
#ifdef PARAVIRT
    while (n) {
        u32 chunk = n < sizeof bounce ? n : sizeof bounce;
        memcpy(bounce, buf, chunk);
        sbi_debug_write((u32)bounce, chunk);
        buf += chunk;
        n -= chunk;
    }
#else
    while (n--)
        uart_putc(*buf++);
#endif
}

void panic(const char *why)
{
    console_write("guest kernel panic: ", 20);
    console_write(why, strlen(why));
    console_write("\n", 1);
    kernel_exit(255);
}
