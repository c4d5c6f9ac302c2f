/* wc -- count lines, words and bytes (POSIX wc(1)): wc [-l] [-w] [-c] [FILE...].
 * Without options all three, in that order.  Each count is right-aligned in 7 columns
 * (GNU's width for standard input) except when only one count is asked for, which is
 * printed bare ("wc -l" -> "3").  With several files a "total" line follows.
 */
#include <ctype.h>
#include <fcntl.h>
#include "util.h"

static int show_lines, show_words, show_bytes;
static unsigned long total[3];

static int count(int fd, unsigned long counts[3])
{
    char buf[4096];
    int in_word = 0;
    ssize_t n;
    counts[0] = counts[1] = counts[2] = 0;
    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        counts[2] += (unsigned long)n;
        for (ssize_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)buf[i];
            if (c == '\n')
                counts[0]++;
            if (isspace(c))
                in_word = 0;
            else if (!in_word) {
                in_word = 1;
                counts[1]++;
            }
        }
    }
    return 0;
}

static void report(const unsigned long counts[3], const char *name)
{
    int shown[3] = {show_lines, show_words, show_bytes};
    int single = show_lines + show_words + show_bytes == 1, first = 1;
    for (int k = 0; k < 3; k++) {
        if (!shown[k])
            continue;
        printf(single ? "%s%lu" : "%s%7lu", first ? "" : " ", counts[k]);
        first = 0;
    }
    if (name)
        printf(" %s", name);
    printf("\n");
}

int main(int argc, char **argv)
{
    int i = 1, status = 0;
    unsigned long counts[3];
    set_prog(argv[0]);
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++)
        for (char *o = argv[i] + 1; *o; o++) {
            if (*o == 'l')
                show_lines = 1;
            else if (*o == 'w')
                show_words = 1;
            else if (*o == 'c')
                show_bytes = 1;
            else {
                warn_msg("unknown option -%c (use -l, -w, -c)", *o);
                return 1;
            }
        }
    if (!show_lines && !show_words && !show_bytes)
        show_lines = show_words = show_bytes = 1;
    if (i == argc) {
        if (count(0, counts) < 0) {
            warn_errno("-");
            return 1;
        }
        report(counts, NULL);
        return 0;
    }
    int files = argc - i;
    for (; i < argc; i++) {
        int fd = strcmp(argv[i], "-") == 0 ? 0 : open(argv[i], O_RDONLY);
        if (fd < 0 || count(fd, counts) < 0) {
            warn_errno(argv[i]);
            status = 1;
        } else {
            report(counts, argv[i]);
            for (int k = 0; k < 3; k++)
                total[k] += counts[k];
        }
        if (fd > 0)
            close(fd);
    }
    if (files > 1)
        report(total, "total");
    return status;
}
