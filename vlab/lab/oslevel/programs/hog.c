/* hog: allocate memory step by step and touch every page, reporting as it goes.
 *
 *     hog TOTAL_KIB [STEP_KIB]        (STEP_KIB defaults to 64)
 *
 * Each step maps STEP_KIB of anonymous memory (mmap(2)) and writes one byte in each
 * 4 KiB page, so the kernel must really give it a frame (demand paging: an untouched
 * page costs nothing).  After each step it writes "hog: N KiB" on stdout.  If a memory
 * cgroup limit is reached, the kernel's OOM killer ends it with SIGKILL mid-way; if the
 * whole TOTAL_KIB fits, it prints "hog: done" and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096

static void say(const char *text) {
    write(1, text, strlen(text));
}

int main(int argc, char **argv) {
    if (argc < 2) {
        say("usage: hog TOTAL_KIB [STEP_KIB]\n");
        return 2;
    }
    long total = atol(argv[1]), step = argc > 2 ? atol(argv[2]) : 64;
    if (total <= 0 || step <= 0) {
        say("hog: TOTAL_KIB and STEP_KIB must be positive numbers of KiB\n");
        return 2;
    }
    char line[64];
    for (long done = 0; done < total; ) {
        long now = step < total - done ? step : total - done;
        char *block = mmap(NULL, now * 1024, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (block == MAP_FAILED) {
            say("hog: mmap failed\n");
            return 1;
        }
        for (long off = 0; off < now * 1024; off += PAGE)
            block[off] = 1;
        done += now;
        snprintf(line, sizeof line, "hog: %ld KiB\n", done);
        say(line);
    }
    say("hog: done\n");
    return 0;
}
