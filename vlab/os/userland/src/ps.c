/* ps -- list the processes, read from procfs (proc(5)): one line per numeric directory
 * of /proc, sorted by PID:
 *       PID  PPID STAT CMD
 *         1     0 S    /sbin/init
 *        12     1 R    ps
 * STAT is the state letter of /proc/PID/status (R running, S sleeping, Z zombie,
 * T stopped); PPID comes from the same file; CMD is /proc/PID/cmdline with its NULs
 * shown as spaces, or "[Name]" when it is empty (a zombie's, as Linux ps shows it).
 * Inside a PID namespace the numbers are the namespace's own: /proc shows its view.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include "util.h"

struct process { int pid, ppid; char state; char name[64]; };

static int by_pid(const void *a, const void *b)
{
    return ((const struct process *)a)->pid - ((const struct process *)b)->pid;
}

/* Read at most size-1 bytes of a small file; -1 if it cannot be read. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    size_t got = 0;
    ssize_t n;
    while (got + 1 < size && (n = read(fd, buf + got, size - 1 - got)) > 0)
        got += (size_t)n;
    close(fd);
    buf[got] = 0;
    return (ssize_t)got;
}

/* Fill p from /proc/PID/status ("Name:", "State:", "PPid:" lines); -1 if it vanished. */
static int read_status(struct process *p)
{
    char path[64], text[2048];
    snprintf(path, sizeof path, "/proc/%d/status", p->pid);
    if (read_small(path, text, sizeof text) < 0)
        return -1;
    p->state = '?';
    p->ppid = 0;
    p->name[0] = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *value = strchr(line, ':');
        if (!value)
            continue;
        *value++ = 0;
        while (*value == ' ' || *value == '\t')
            value++;
        if (!strcmp(line, "Name"))
            snprintf(p->name, sizeof p->name, "%s", value);
        else if (!strcmp(line, "State"))
            p->state = value[0];
        else if (!strcmp(line, "PPid"))
            p->ppid = atoi(value);
    }
    return 0;
}

static void print_command(const struct process *p)
{
    char path[64], cmd[256];
    snprintf(path, sizeof path, "/proc/%d/cmdline", p->pid);
    ssize_t n = read_small(path, cmd, sizeof cmd);
    while (n > 0 && cmd[n - 1] == 0)
        n--;
    if (n <= 0) {
        printf("[%s]\n", p->name);
        return;
    }
    for (ssize_t i = 0; i < n; i++)          /* NULs between arguments: spaces; */
        if (cmd[i] == 0)                     /* other control characters: '?' */
            cmd[i] = ' ';
        else if ((unsigned char)cmd[i] < 32 || cmd[i] == 127)
            cmd[i] = '?';
    cmd[n] = 0;
    printf("%s\n", cmd);
}

int main(int argc, char **argv)
{
    set_prog(argv[0]);
    (void)argc;
    DIR *proc = opendir("/proc");
    if (!proc) {
        warn_errno("/proc (is procfs mounted? mount -t proc proc /proc)");
        return 1;
    }
    struct process *list = NULL;
    size_t count = 0, cap = 0;
    struct dirent *entry;
    while ((entry = readdir(proc))) {
        if (!isdigit((unsigned char)entry->d_name[0]))
            continue;
        if (count == cap) {
            cap = cap ? 2 * cap : 64;
            struct process *bigger = realloc(list, cap * sizeof *list);
            if (!bigger) {
                warn_errno("/proc");
                return 1;
            }
            list = bigger;
        }
        list[count].pid = atoi(entry->d_name);
        if (read_status(&list[count]) == 0)      /* a process may exit meanwhile */
            count++;
    }
    closedir(proc);
    qsort(list, count, sizeof *list, by_pid);
    printf("%5s %5s %-4s %s\n", "PID", "PPID", "STAT", "CMD");
    for (size_t i = 0; i < count; i++) {
        printf("%5d %5d %-4c ", list[i].pid, list[i].ppid, list[i].state);
        print_command(&list[i]);
    }
    return 0;
}
