/* yes -- write "y" (or the arguments joined by spaces) and a newline forever
 * (busybox/GNU yes).  It ends when the reader goes away: SIGPIPE kills it, or, if that
 * signal is ignored, write(2) fails with EPIPE and yes exits with status 1.
 * The line is repeated into one buffer so that each write(2) carries many lines.
 */
#include "util.h"

int main(int argc, char **argv)
{
    char line[1024], buf[4096];
    size_t len = 0, fill = 0;
    set_prog(argv[0]);
    if (argc < 2) {
        strcpy(line, "y");
        len = 1;
    }
    for (int i = 1; i < argc; i++) {
        size_t n = strlen(argv[i]);
        if (len + n + 2 > sizeof line) {
            warn_msg("arguments too long");
            return 1;
        }
        if (i > 1)
            line[len++] = ' ';
        memcpy(line + len, argv[i], n);
        len += n;
    }
    line[len++] = '\n';
    while (fill + len <= sizeof buf) {
        memcpy(buf + fill, line, len);
        fill += len;
    }
    for (;;) {
        if (write_all(1, buf, fill) < 0) {
            warn_errno("write error");
            return 1;
        }
    }
}
