/* bench_isa_kernel.c -- the CPU-bound program of benchmarks/bench_isa.py.
 *
 * Fill an array from a xorshift generator, insertion-sort it, fold a checksum; ROUNDS
 * times.  Built so that every emulator in the comparison can run the very same bytes:
 * RV32I only (riscv-emulator has no M extension), position independent
 * (-mcmodel=medany: every address is pc-relative, so it runs linked at 0x80400000 or
 * copied to address 0), no stack (sp is never touched), and it ends with the Linux
 * exit system call, a0 = the checksum.  Comparisons are signed on purpose: riscv-emulator
 * 0.1.1 evaluates bltu/bgeu wrongly (Python precedence: `a & m < b & m`).
 */
#ifndef ROUNDS
#define ROUNDS 20
#endif
#define N 256

static int data[N];

static unsigned int xorshift(unsigned int x)
{
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
}

unsigned int bench(int rounds)
{
    unsigned int seed = 2463534242u, sum = 0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < N; i++) {
            seed = xorshift(seed);
            data[i] = (int)(seed >> 8);
        }
        for (int i = 1; i < N; i++) {
            int v = data[i];
            int j = i - 1;
            while (j >= 0 && data[j] > v) {
                data[j + 1] = data[j];
                j--;
            }
            data[j + 1] = v;
        }
        for (int i = 0; i < N; i += 16)
            sum += (unsigned int)(data[i] ^ i);
    }
    return sum;
}

__attribute__((naked, section(".text.start"))) void _start(void)
{
    __asm__ volatile("li a0, %0\n"
                     "jal ra, bench\n"   /* not `call`: riscv-emulator's jalr ra,(ra) is wrong */
                     "li a7, 93\n"
                     "ecall\n" : : "i"(ROUNDS));
}
