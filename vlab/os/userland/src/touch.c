/* touch -- create empty files, or set an existing file's times to now (POSIX touch(1),
 * utimensat(2)).  A kernel without utimensat (ENOSYS) leaves an existing file's times
 * as they are: the file exists, which is what scripts use touch for.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include "util.h"

static int touch(const char *path)
{
    if (utimensat(AT_FDCWD, path, NULL, 0) == 0)
        return 0;
    if (errno == ENOSYS) {
        struct stat st;
        if (stat(path, &st) == 0)
            return 0;
    } else if (errno != ENOENT)
        return -1;
    int fd = open(path, O_WRONLY | O_CREAT, 0666);
    if (fd < 0)
        return -1;
    return close(fd);
}

int main(int argc, char **argv)
{
    int status = 0;
    set_prog(argv[0]);
    if (argc < 2) {
        warn_msg("usage: touch FILE...");
        return 1;
    }
    for (int i = 1; i < argc; i++)
        if (touch(argv[i]) < 0) {
            warn_errno(argv[i]);
            status = 1;
        }
    return status;
}
