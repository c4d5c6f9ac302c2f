/* A bare-metal RV32 driver for every vlab.host device; run by test_host_real_code.py.
 * UART: 16550 init + polled output + polled input. Block device: DMA read, write,
 * bad-sector error. CLINT: mtime has moved. HTIF: console putchar with fromhost
 * acknowledgement; the exit code (checksum of sector 1) goes through tohost. */
#include <stdint.h>
#define UART ((volatile uint8_t *)0x10000000)
#define BLK ((volatile uint32_t *)0x10001000)
#define MTIME_LO (*(volatile uint32_t *)0x0200BFF8)
volatile uint64_t tohost __attribute__((section(".tohost"), aligned(64)));
volatile uint64_t fromhost __attribute__((section(".tohost"), aligned(64)));
static uint8_t buf[512] __attribute__((aligned(4)));
static void uart_putc(char c) { while (!(UART[5] & 0x20)); UART[0] = c; }
static void htif_putc(char c) {
  while (tohost);
  tohost = (1ULL << 56) | (1ULL << 48) | (uint8_t)c;
  while (!fromhost);
  fromhost = 0;
}
int main(void) {
  UART[3] = 0x80; UART[0] = 3; UART[1] = 0; UART[3] = 0x03; UART[2] = 0x07;
  for (const char *s = "uart ok "; *s; s++) uart_putc(*s);
  while (!(UART[5] & 1));
  uart_putc(UART[0]);
  if (BLK[0] != 0x4B4C4256) return 10;
  BLK[3] = 1; BLK[4] = (uint32_t)buf; BLK[5] = 1; BLK[6] = 1;
  if (BLK[7] != 0) return 11;
  uint32_t sum = 0;
  for (int i = 0; i < 512; i++) { sum += buf[i]; buf[i] ^= 0xFF; }
  BLK[3] = 2; BLK[6] = 2;
  if (BLK[7] != 0) return 12;
  BLK[3] = 100000; BLK[6] = 1;
  if (BLK[7] != 2) return 13;
  if (MTIME_LO == 0) return 14;
  for (const char *s = "htif ok"; *s; s++) htif_putc(*s);
  return sum & 0x7F;
}
