/* rm -- remove files (POSIX rm(1), unlinkat(2)); -r removes directories with their
 * contents (depth first, read with readdir, i.e. getdents64), -f ignores missing files.
 * Options may be combined: -rf.  A symbolic link is removed, never followed.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include "util.h"

static int force;

static int remove_path(const char *path, int recursive)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        if (force && errno == ENOENT)
            return 0;
        warn_errno(path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (unlink(path) < 0) {
            warn_errno(path);
            return -1;
        }
        return 0;
    }
    if (!recursive) {
        errno = EISDIR;
        warn_errno(path);
        return -1;
    }
    DIR *dir = opendir(path);
    if (!dir) {
        warn_errno(path);
        return -1;
    }
    int status = 0;
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
            continue;
        size_t n = strlen(path) + strlen(entry->d_name) + 2;
        char *child = malloc(n);
        if (!child) {
            warn_errno(path);
            closedir(dir);
            return -1;
        }
        snprintf(child, n, "%s/%s", path, entry->d_name);
        if (remove_path(child, 1) < 0)
            status = -1;
        free(child);
    }
    closedir(dir);
    if (status == 0 && rmdir(path) < 0) {
        warn_errno(path);
        return -1;
    }
    return status;
}

int main(int argc, char **argv)
{
    int recursive = 0, i = 1, status = 0;
    set_prog(argv[0]);
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        }
        for (char *o = argv[i] + 1; *o; o++) {
            if (*o == 'r' || *o == 'R')
                recursive = 1;
            else if (*o == 'f')
                force = 1;
            else {
                warn_msg("unknown option -%c (use -r, -f)", *o);
                return 1;
            }
        }
    }
    if (i == argc && !force) {
        warn_msg("usage: rm [-rf] FILE...");
        return 1;
    }
    for (; i < argc; i++)
        if (remove_path(argv[i], recursive) < 0)
            status = 1;
    return status;
}
