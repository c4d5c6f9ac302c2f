/* init -- the first process (PID 1): prepare the system, run the shell, reap orphans.
 *
 *   init [-H HOSTNAME] [COMMAND [ARG]...]
 *
 * What it does, in order (in the spirit of busybox init and of a container's tini):
 * 1. As PID 1: mount procfs on /proc if that directory exists and holds no procfs
 *    yet (no /proc/self; mount(2), "proc" type), so that ps works; set PATH, HOME
 *    and TERM if the kernel gave none.
 *    Not PID 1 (e.g. run by hand on Linux): it asks to be the "child subreaper"
 *    (prctl(2) PR_SET_CHILD_SUBREAPER) so that orphans still come to it, and mounts
 *    nothing.
 * 2. -H HOSTNAME: set the host name (sethostname(2); its UTS namespace's name).
 * 3. With a COMMAND: run it (execvp) as its child.  Without: run "/bin/sh /etc/rc" if
 *    /etc/rc exists and wait for it, then start the console shell /bin/sh.
 * 4. Pass SIGTERM, SIGINT and SIGHUP on to that child (as tini does): PID 1 gets only
 *    the signals it has a handler for (pid_namespaces(7)), so "stop the container"
 *    reaches the program that should stop, which then ends init too.
 * 5. Reap every child that exits -- its own and the orphans the kernel re-parents to
 *    PID 1 (wait(2) in a loop: an unreaped child would stay a zombie forever).  When
 *    the command or the shell exits, init exits with its status (a signal's as
 *    128+number, the shell convention): on the vlab kernel the end of PID 1 ends the
 *    system, or the container, whose exit status it is.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "util.h"

static volatile pid_t main_child;              /* the command or the shell */

static void forward(int sig)
{
    if (main_child > 0)
        kill(main_child, sig);
}

static void forward_signals(void)
{
    static const int FORWARDED[] = {SIGTERM, SIGINT, SIGHUP};
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = forward;                 /* no SA_RESTART: wait() sees EINTR */
    for (unsigned i = 0; i < sizeof FORWARDED / sizeof FORWARDED[0]; i++)
        sigaction(FORWARDED[i], &action, NULL);
}

static int status_code(int status)
{
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static pid_t spawn(char **argv)
{
    pid_t pid = fork();
    if (pid < 0) {
        warn_errno("fork");
        return -1;
    }
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);                 /* the child's own dispositions */
        signal(SIGINT, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        execvp(argv[0], argv);
        warn_errno(argv[0]);
        _exit(errno == ENOENT ? 127 : 126);
    }
    return pid;
}

/* Wait until child `main_pid` exits, reaping any other child on the way. */
static int wait_for(pid_t main_pid)
{
    main_child = main_pid;
    for (;;) {
        int status;
        pid_t pid = wait(&status);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            warn_errno("wait");
            return 1;
        }
        if (pid == main_pid)
            return status_code(status);
    }
}

static void pid1_setup(void)
{
    struct stat st;
    if (stat("/proc", &st) == 0 && S_ISDIR(st.st_mode) && access("/proc/self", F_OK) < 0
        && mount("proc", "/proc", "proc", 0, NULL) < 0 && errno != EBUSY)
        warn_errno("mount /proc");
    setenv("PATH", "/bin:/sbin:/usr/bin:/usr/sbin", 0);
    setenv("HOME", "/", 0);
    setenv("TERM", "vt100", 0);
}

int main(int argc, char **argv)
{
    int i = 1;
    set_prog(argv[0]);
    if (getpid() == 1)
        pid1_setup();
    else
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);   /* may fail: then orphans go up */
    forward_signals();
    if (i + 1 < argc && strcmp(argv[i], "-H") == 0) {
        if (sethostname(argv[i + 1], strlen(argv[i + 1])) < 0)
            warn_errno(argv[i + 1]);
        i += 2;
    }
    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    if (i < argc) {
        pid_t pid = spawn(argv + i);
        return pid < 0 ? 1 : wait_for(pid);
    }
    if (access("/etc/rc", R_OK) == 0) {
        char *rc[] = {"/bin/sh", "/etc/rc", NULL};
        pid_t pid = spawn(rc);
        if (pid > 0)
            wait_for(pid);
    }
    char *shell[] = {"/bin/sh", NULL};
    pid_t pid = spawn(shell);
    return pid < 0 ? 1 : wait_for(pid);
}
