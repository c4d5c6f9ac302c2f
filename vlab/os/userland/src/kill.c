/* kill -- send a signal to processes (POSIX kill(1), kill(2)):
 *   kill [-s NAME | -NAME | -NUMBER] PID...     (default TERM)
 *   kill -l                                      (list the signal names)
 * A PID of 0 or a negative one names a process group, as kill(2) says.
 */
#include <signal.h>
#include "signames.h"
#include "util.h"

int main(int argc, char **argv)
{
    int sig = SIGTERM, i = 1, status = 0;
    set_prog(argv[0]);
    if (argc == 2 && strcmp(argv[1], "-l") == 0) {
        for (unsigned k = 0; k < NSIGNAMES; k++)
            printf("%d) SIG%s\n", SIGNALS[k].number, SIGNALS[k].name);
        return 0;
    }
    if (i < argc && strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
        sig = signal_number(argv[i + 1]);
        i += 2;
    } else if (i < argc && argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--")) {
        sig = signal_number(argv[i] + 1);
        i++;
    }
    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    if (sig < 0) {
        warn_msg("unknown signal %s (kill -l lists them)", argv[i - 1]);
        return 1;
    }
    if (i == argc) {
        warn_msg("usage: kill [-s SIGNAL | -SIGNAL] PID...");
        return 1;
    }
    for (; i < argc; i++) {
        char *end;
        long pid = strtol(argv[i], &end, 10);
        if (!argv[i][0] || *end) {
            warn_msg("%s: not a process id", argv[i]);
            status = 1;
        } else if (kill((pid_t)pid, sig) < 0) {
            warn_errno(argv[i]);
            status = 1;
        }
    }
    return status;
}
