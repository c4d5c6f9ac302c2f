/* head -- copy the first lines of files (POSIX head(1)): head [-n N | -N] [FILE...],
 * 10 lines by default.  With several files each is introduced by "==> NAME <==".
 * It stops reading a file as soon as it has N lines, so "yes | head" ends; if the file
 * can seek, the offset is moved back to just after the last line copied, so that the
 * next reader of a shared standard input (a shell script's) continues there.
 */
#include <fcntl.h>
#include "util.h"

/* Copy lines up to the count-th newline from fd to standard output. */
static int head(int fd, long lines)
{
    char buf[4096];
    ssize_t n;
    while (lines > 0 && (n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        ssize_t upto = 0;
        while (upto < n && lines > 0)
            if (buf[upto++] == '\n')
                lines--;
        if (write_all(1, buf, (size_t)upto) < 0)
            return -1;
        if (lines == 0 && upto < n)     /* give back what was read past the last line, */
            lseek(fd, upto - n, SEEK_CUR);  /* if fd can seek (POSIX: XCU 1.4 "Utility
                                             * Description Defaults", INPUT FILES) */
    }
    return 0;
}

int main(int argc, char **argv)
{
    long lines = 10;
    int i = 1, status = 0;
    set_prog(argv[0]);
    if (i + 1 < argc && strcmp(argv[i], "-n") == 0) {
        lines = parse_count(argv[i + 1]);
        i += 2;
    } else if (i < argc && strncmp(argv[i], "-n", 2) == 0 && argv[i][2]) {
        lines = parse_count(argv[i] + 2);
        i++;
    } else if (i < argc && argv[i][0] == '-' && argv[i][1] >= '0' && argv[i][1] <= '9') {
        lines = parse_count(argv[i] + 1);
        i++;
    }
    if (lines < 0) {
        warn_msg("invalid number of lines: %s", argv[i - 1]);
        return 1;
    }
    if (i == argc)
        return head(0, lines) < 0 ? (warn_errno("-"), 1) : 0;
    int files = argc - i;
    for (int first = i; i < argc; i++) {
        int fd = strcmp(argv[i], "-") == 0 ? 0 : open(argv[i], O_RDONLY);
        if (fd < 0) {
            warn_errno(argv[i]);
            status = 1;
            continue;
        }
        if (files > 1) {
            char title[4200];
            int len = snprintf(title, sizeof title, "%s==> %s <==\n",
                               i > first ? "\n" : "", argv[i]);
            write_all(1, title, (size_t)len);
        }
        if (head(fd, lines) < 0) {
            warn_errno(argv[i]);
            status = 1;
        }
        if (fd > 0)
            close(fd);
    }
    return status;
}
