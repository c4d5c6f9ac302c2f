/* ls -- list directory contents (POSIX ls(1)): ls [-l] [-a] [-1] [FILE...].
 *
 * Names are sorted by strcmp (the C locale), one per line whatever the output is (as
 * "ls -1" or a pipe does: the output does not depend on a terminal's width).  Without
 * -a, names starting with '.' are hidden.  Files named on the command line come first,
 * then each directory's entries, under "DIR:" when there are several arguments.
 * -l prints busybox's long format, a directory's entries after "total N" (1 KiB blocks):
 *     -rw-r--r--    1 root     root            12 Dec  7 22:37 name
 *     lrwxrwxrwx    1 0        0                3 Jan  1 00:00 link -> target
 * mode, links, owner and group (names from /etc/passwd and /etc/group, else numbers),
 * size (for a device: major, minor), modification time (UTC unless TZ says), name.
 * Directories are read with readdir(3), i.e. getdents64(2).
 */
#include <dirent.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include "util.h"

static int long_format, all;

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "drwxr-xr-x" from st_mode (the file type letter, then three rwx triples with the
 * set-uid, set-gid and sticky bits shown as s/S and t/T as ls(1) does). */
static void mode_string(mode_t mode, char out[11])
{
    static const struct { mode_t type; char letter; } TYPES[] = {
        {S_IFDIR, 'd'}, {S_IFLNK, 'l'}, {S_IFCHR, 'c'}, {S_IFBLK, 'b'},
        {S_IFIFO, 'p'}, {S_IFSOCK, 's'}, {S_IFREG, '-'},
    };
    out[0] = '?';
    for (unsigned i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++)
        if ((mode & S_IFMT) == TYPES[i].type)
            out[0] = TYPES[i].letter;
    const char *rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++)
        out[1 + i] = (mode & (0400 >> i)) ? rwx[i] : '-';
    if (mode & S_ISUID)
        out[3] = (mode & S_IXUSR) ? 's' : 'S';
    if (mode & S_ISGID)
        out[6] = (mode & S_IXGRP) ? 's' : 'S';
    if (mode & S_ISVTX)
        out[9] = (mode & S_IXOTH) ? 't' : 'T';
    out[10] = 0;
}

static void print_long(const char *path, const char *name, const struct stat *st)
{
    char mode[11], when[32], user[16], group[16];
    struct passwd *pw = getpwuid(st->st_uid);
    struct group *gr = getgrgid(st->st_gid);
    time_t mtime = st->st_mtime;
    mode_string(st->st_mode, mode);
    if (pw)
        snprintf(user, sizeof user, "%s", pw->pw_name);
    else
        snprintf(user, sizeof user, "%u", (unsigned)st->st_uid);
    if (gr)
        snprintf(group, sizeof group, "%s", gr->gr_name);
    else
        snprintf(group, sizeof group, "%u", (unsigned)st->st_gid);
    strftime(when, sizeof when, "%b %e %H:%M", gmtime(&mtime));
    printf("%s %4lu %-8s %-8s ", mode, (unsigned long)st->st_nlink, user, group);
    if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
        printf("%4u, %4u ", major(st->st_rdev), minor(st->st_rdev));
    else
        printf("%9lld ", (long long)st->st_size);
    printf("%s %s", when, name);
    if (S_ISLNK(st->st_mode)) {
        char target[4096];
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n >= 0) {
            target[n] = 0;
            printf(" -> %s", target);
        }
    }
    printf("\n");
}

/* "total N": the 1 KiB blocks the entries occupy (st_blocks counts 512-byte units),
 * the first line of a directory's long listing. */
static void print_total(const char *path, char **names, size_t count)
{
    unsigned long long blocks = 0;
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        size_t n = strlen(path) + strlen(names[i]) + 2;
        char *child = malloc(n);
        snprintf(child, n, "%s/%s", path, names[i]);
        if (lstat(child, &st) == 0)
            blocks += (unsigned long long)st.st_blocks;
        free(child);
    }
    printf("total %llu\n", blocks / 2);
}

/* One entry: its name, or its long line (path is where to lstat it). */
static int show(const char *path, const char *name)
{
    struct stat st;
    if (!long_format) {
        printf("%s\n", name);
        return 0;
    }
    if (lstat(path, &st) < 0) {
        warn_errno(path);
        return -1;
    }
    print_long(path, name, &st);
    return 0;
}

static int list_directory(const char *path)
{
    DIR *dir = opendir(path);
    if (!dir) {
        warn_errno(path);
        return -1;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        if (!all && entry->d_name[0] == '.')
            continue;
        if (count == cap) {
            cap = cap ? 2 * cap : 64;
            char **bigger = realloc(names, cap * sizeof *names);
            if (!bigger) {
                warn_errno(path);
                return -1;
            }
            names = bigger;
        }
        names[count++] = strdup(entry->d_name);
    }
    closedir(dir);
    qsort(names, count, sizeof *names, by_name);
    int status = 0;
    if (long_format)
        print_total(path, names, count);
    for (size_t i = 0; i < count; i++) {
        size_t n = strlen(path) + strlen(names[i]) + 2;
        char *child = malloc(n);
        snprintf(child, n, "%s/%s", path, names[i]);
        if (show(child, names[i]) < 0)
            status = -1;
        free(child);
        free(names[i]);
    }
    free(names);
    return status;
}

int main(int argc, char **argv)
{
    int i = 1, status = 0;
    set_prog(argv[0]);
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++)
        for (char *o = argv[i] + 1; *o; o++) {
            if (*o == 'l')
                long_format = 1;
            else if (*o == 'a')
                all = 1;
            else if (*o != '1') {
                warn_msg("unknown option -%c (use -l, -a, -1)", *o);
                return 2;
            }
        }
    char *here[] = {"."};
    char **args = i < argc ? argv + i : here;
    int nargs = i < argc ? argc - i : 1;
    qsort(args, (size_t)nargs, sizeof *args, by_name);
    /* files first, then directories (a symbolic link to a directory counts as one
     * unless -l, as in ls(1)) */
    int ndirs = 0;
    for (int k = 0; k < nargs; k++) {
        struct stat st;
        int found = long_format ? lstat(args[k], &st) : stat(args[k], &st);
        if (found < 0) {
            warn_errno(args[k]);
            status = 2;
            args[k] = NULL;
        } else if (S_ISDIR(st.st_mode))
            ndirs++;
        else {
            if (show(args[k], args[k]) < 0)
                status = 2;
            args[k] = NULL;
        }
    }
    int printed = nargs - ndirs;
    for (int k = 0; k < nargs; k++) {
        if (!args[k])
            continue;
        if (nargs > 1)
            printf("%s%s:\n", printed++ ? "\n" : "", args[k]);
        if (list_directory(args[k]) < 0)
            status = 2;
    }
    return status;
}
