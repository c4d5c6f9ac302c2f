/* sleep -- suspend for a number of seconds, fractions allowed ("sleep 0.5"), with
 * nanosleep(2) (POSIX sleep(1); the fraction is a GNU/busybox extension).
 * musl issues nanosleep as clock_nanosleep_time64 on riscv32.
 */
#include <time.h>
#include "util.h"

/* "1.25" -> 1 s 250000000 ns; -1 if it is not a number. */
static int parse_seconds(const char *s, struct timespec *ts)
{
    long sec = 0, nsec = 0, scale = 100000000;
    if (!*s)
        return -1;
    for (; *s >= '0' && *s <= '9'; s++)
        sec = sec * 10 + (*s - '0');
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10)
            nsec += (*s - '0') * scale;
    if (*s)
        return -1;
    ts->tv_sec = sec;
    ts->tv_nsec = nsec;
    return 0;
}

int main(int argc, char **argv)
{
    struct timespec ts;
    set_prog(argv[0]);
    if (argc != 2 || parse_seconds(argv[1], &ts) < 0) {
        warn_msg("usage: sleep SECONDS (a number such as 2 or 0.5)");
        return 1;
    }
    while (nanosleep(&ts, &ts) < 0) {
        if (errno != EINTR) {
            warn_errno("nanosleep");
            return 1;
        }
    }
    return 0;
}
