/* env -- print the environment, or run a command in a changed one
 * (POSIX env(1)): env [-i] [NAME=VALUE]... [COMMAND [ARG]...].
 * -i starts from an empty environment.  A command not found exits 127, one found but
 * not runnable 126, as POSIX says.
 */
#include "util.h"

extern char **environ;

int main(int argc, char **argv)
{
    int i = 1;
    set_prog(argv[0]);
    if (i < argc && strcmp(argv[i], "-i") == 0) {
        clearenv();
        i++;
    }
    for (; i < argc && strchr(argv[i], '='); i++)
        if (putenv(argv[i]) != 0) {
            warn_errno(argv[i]);
            return 1;
        }
    if (i == argc) {
        for (char **e = environ; e && *e; e++)
            printf("%s\n", *e);
        return 0;
    }
    execvp(argv[i], argv + i);
    warn_errno(argv[i]);
    return errno == ENOENT ? 127 : 126;
}
