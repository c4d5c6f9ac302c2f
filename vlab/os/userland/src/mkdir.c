/* mkdir -- make directories (POSIX mkdir(1), mkdir(2)); -p makes the missing parents
 * too and does not complain about a directory that exists.
 */
#include <sys/stat.h>
#include "util.h"

/* Make every prefix of path that ends before a '/', then path itself. */
static int make_parents(char *path)
{
    struct stat st;
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        int failed = mkdir(path, 0777) < 0 && errno != EEXIST;
        *p = '/';
        if (failed)
            return -1;
    }
    if (mkdir(path, 0777) == 0)
        return 0;
    if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    return -1;
}

int main(int argc, char **argv)
{
    int parents = 0, i = 1, status = 0;
    set_prog(argv[0]);
    if (i < argc && strcmp(argv[i], "-p") == 0) {
        parents = 1;
        i++;
    }
    if (i == argc) {
        warn_msg("usage: mkdir [-p] DIRECTORY...");
        return 1;
    }
    for (; i < argc; i++) {
        int failed = parents ? make_parents(argv[i]) < 0 : mkdir(argv[i], 0777) < 0;
        if (failed) {
            warn_errno(argv[i]);
            status = 1;
        }
    }
    return status;
}
