/* pause: wait for a signal, doing nothing (like the "pause" process that holds a
 * Kubernetes pod's namespaces).
 *
 * pause(2) sleeps until a signal arrives; SIGTERM or SIGINT end the program (exit 0).
 * A system whose processes all wait like this has nothing to run and nothing that will
 * wake it by itself: the chapter's experiments look at the process table then.
 */
#include <signal.h>
#include <unistd.h>

static void done(int sig) {
    (void)sig;
    _exit(0);
}

int main(void) {
    signal(SIGTERM, done);
    signal(SIGINT, done);
    for (;;)
        pause();
}
