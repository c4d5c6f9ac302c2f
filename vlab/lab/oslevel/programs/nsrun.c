/* nsrun: run a command in new namespaces (like util-linux's "unshare --fork").
 *
 *     nsrun [-t DIR] KINDS COMMAND [ARG...]   KINDS: comma-separated pid,uts,mnt,ipc,
 *                                              net,user, or "none"
 *
 * unshare(2) gives the caller new namespaces of the named kinds; a new PID namespace
 * is entered only by the caller's children (pid_namespaces(7)), so nsrun forks, the
 * child executes COMMAND (PID 1 of the new PID namespace if "pid" is named) and nsrun
 * waits for it and exits with its status (128 + the signal if it was killed).
 *
 * -t DIR: the child first mounts a fresh, empty tmpfs on DIR (mount(2)), as
 * "unshare --mount" followed by "mount -t tmpfs none DIR" would.  With "mnt" among the
 * KINDS the mount is in the child's own mount table; without it, in the shared one, so
 * every process of the system sees it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct { const char *name; int flag; } KINDS[] = {
    {"pid", CLONE_NEWPID}, {"uts", CLONE_NEWUTS}, {"mnt", CLONE_NEWNS},
    {"ipc", CLONE_NEWIPC}, {"net", CLONE_NEWNET}, {"user", CLONE_NEWUSER},
};

static int parse_kinds(char *text, int *flags) {
    *flags = 0;
    if (strcmp(text, "none") == 0) return 0;
    for (char *kind = strtok(text, ","); kind; kind = strtok(NULL, ",")) {
        unsigned i;
        for (i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++)
            if (strcmp(kind, KINDS[i].name) == 0) break;
        if (i == sizeof KINDS / sizeof KINDS[0]) {
            fprintf(stderr, "nsrun: unknown namespace kind '%s' "
                            "(use pid, uts, mnt, ipc, net, user or none)\n", kind);
            return -1;
        }
        *flags |= KINDS[i].flag;
    }
    return 0;
}

int main(int argc, char **argv) {
    int flags, status;
    const char *tmpfs_dir = NULL;
    if (argc > 2 && strcmp(argv[1], "-t") == 0) {
        tmpfs_dir = argv[2];
        argv += 2;
        argc -= 2;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: nsrun [-t DIR] KINDS COMMAND [ARG...]   "
                        "(KINDS: pid,uts,mnt,... or none)\n");
        return 2;
    }
    if (parse_kinds(argv[1], &flags) < 0) return 2;
    if (flags && unshare(flags) < 0) {
        fprintf(stderr, "nsrun: unshare: %s\n", strerror(errno));
        return 1;
    }
    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "nsrun: fork: %s\n", strerror(errno));
        return 1;
    }
    if (child == 0) {
        if (tmpfs_dir && mount("none", tmpfs_dir, "tmpfs", 0, NULL) < 0) {
            fprintf(stderr, "nsrun: mount tmpfs on %s: %s\n", tmpfs_dir, strerror(errno));
            return 1;
        }
        execvp(argv[2], argv + 2);
        fprintf(stderr, "nsrun: %s: %s\n", argv[2], strerror(errno));
        return 127;
    }
    if (waitpid(child, &status, 0) < 0) {
        fprintf(stderr, "nsrun: waitpid: %s\n", strerror(errno));
        return 1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
