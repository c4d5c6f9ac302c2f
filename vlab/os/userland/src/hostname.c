/* hostname -- print the host name (uname(2)'s nodename), or set it with
 * sethostname(2) when given one (POSIX uname(2), Linux sethostname(2)).  In a UTS
 * namespace the name is the namespace's own.
 */
#include <sys/utsname.h>
#include "util.h"

int main(int argc, char **argv)
{
    struct utsname u;
    set_prog(argv[0]);
    if (argc > 2) {
        warn_msg("usage: hostname [NAME]");
        return 1;
    }
    if (argc == 2) {
        if (sethostname(argv[1], strlen(argv[1])) < 0) {
            warn_errno(argv[1]);
            return 1;
        }
        return 0;
    }
    if (uname(&u) < 0) {
        warn_errno("uname");
        return 1;
    }
    printf("%s\n", u.nodename);
    return 0;
}
