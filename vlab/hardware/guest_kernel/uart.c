/* uart.c -- a driver for the 16550 UART (TI PC16550D data sheet, sec. 8).
 *
 * Registers one byte apart at UART_BASE: THR (transmit, offset 0), FCR (2), LCR (3),
 * LSR (5; bit 5 THRE = the transmitter can take a byte).  Polled, no interrupts.  In a VM
 * under hw or trap-and-emulate every access is an MMIO exit into the VMM's device model.
 */
#include "kernel.h"

#define THR 0
#define FCR 2
#define LCR 3
#define LSR 5
#define LSR_THRE 0x20
#define LCR_8N1 0x03
#define FCR_ENABLE 0x01

static volatile u8 *const uart = (volatile u8 *)UART_BASE;

void uart_init(void)
{
    uart[LCR] = LCR_8N1;              /* 8 data bits, no parity, 1 stop bit */
    uart[FCR] = FCR_ENABLE;
}

void uart_putc(char c)
{
    while (!(uart[LSR] & LSR_THRE))
        ;
    uart[THR] = (u8)c;
}
