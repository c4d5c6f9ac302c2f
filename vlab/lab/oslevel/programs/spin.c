/* spin: use the CPU and nothing else, for ever (a CPU-bound service).
 *
 * A loop of register arithmetic with no system call: the process is always runnable,
 * so how much CPU it gets is decided by the scheduler alone (and by its cgroup's
 * cpu.max and cpu.weight).  SIGTERM or SIGKILL end it.
 */
int main(void) {
    volatile unsigned long counter = 0;
    for (;;)
        counter++;
}
