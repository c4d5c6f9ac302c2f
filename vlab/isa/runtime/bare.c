/* bare.c -- the two services a bare-metal vlab program needs: a console and exit.
 *
 * Both go through Spike's HTIF (see vlab/host/devices/htif.py): the program writes a 64-bit
 * command into `tohost` (low word first, then the high word -- the host acts once the word
 * is complete) and waits until the host has taken it (tohost back to 0):
 *   putchar: device 1, command 1, payload = the character;
 *   exit:    (status << 1) | 1.
 * Define VLAB_UART_CONSOLE to print through the 16550 UART at 0x10000000 instead.
 */
#include "vlab.h"

volatile unsigned long long tohost __attribute__((section(".tohost"), aligned(8)));
volatile unsigned long long fromhost __attribute__((section(".tohost"), aligned(8)));

static void htif_send(unsigned int high, unsigned int low)
{
    volatile unsigned int *word = (volatile unsigned int *)&tohost;
    while (word[0] | word[1])       /* the previous command has not been taken yet */
        ;
    word[0] = low;
    word[1] = high;
}

#ifdef VLAB_UART_CONSOLE
#define UART_THR ((volatile unsigned char *)0x10000000)
#define UART_LSR ((volatile unsigned char *)0x10000005)
static void console_putc(char c)
{
    while (!(*UART_LSR & 0x20))     /* LSR.THRE: transmit holding register empty */
        ;
    *UART_THR = c;
}
#else
static void console_putc(char c)
{
    volatile unsigned int *word = (volatile unsigned int *)&tohost;
    htif_send(0x01010000u, (unsigned char)c);   /* device 1 << 24 | cmd 1 << 16 (high word) */
    while (word[0] | word[1])                   /* wait until the host has taken it */
        ;
    fromhost = 0;                               /* drop Spike's 0x100 | c acknowledgement */
}
#endif

void vlab_write_out(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        console_putc(s[i]);
}

void vlab_exit(int status)
{
    vlab_flush();
    htif_send(0, ((unsigned int)status << 1) | 1);
    for (;;)
        ;
}

void exit(int status) { vlab_exit(status); }
