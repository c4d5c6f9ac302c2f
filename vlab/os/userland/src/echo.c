/* echo -- write the arguments, separated by spaces, and a newline (POSIX echo(1)).
 *
 * Simplified: only the option -n (no newline) is known; backslash escapes are printed as
 * they are (busybox and GNU echo without -e do the same).
 */
#include "util.h"

int main(int argc, char **argv)
{
    int newline = 1, i = 1;
    set_prog(argv[0]);
    if (i < argc && strcmp(argv[i], "-n") == 0) {
        newline = 0;
        i++;
    }
    for (int first = i; i < argc; i++) {
        if (i > first)
            fputc(' ', stdout);
        fputs(argv[i], stdout);
    }
    if (newline)
        fputc('\n', stdout);
    if (fflush(stdout) != 0) {
        warn_errno("write error");
        return 1;
    }
    return 0;
}
