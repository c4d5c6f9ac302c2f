/* cat -- copy files (or standard input, also named "-") to standard output
 * (POSIX cat(1)).  Reads and writes in 4 KiB blocks with read(2)/write(2), no stdio.
 */
#include <fcntl.h>
#include "util.h"

static int copy(int fd)
{
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (write_all(1, buf, (size_t)n) < 0)
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int status = 0;
    set_prog(argv[0]);
    if (argc < 2) {
        if (copy(0) < 0) {
            warn_errno("-");
            return 1;
        }
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        int fd = strcmp(argv[i], "-") == 0 ? 0 : open(argv[i], O_RDONLY);
        if (fd < 0 || copy(fd) < 0) {
            warn_errno(argv[i]);
            status = 1;
        }
        if (fd > 0)
            close(fd);
    }
    return status;
}
