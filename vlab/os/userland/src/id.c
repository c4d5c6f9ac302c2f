/* id -- print the user and group ids (POSIX id(1)): "uid=0(root) gid=0(root)".
 * Names come from /etc/passwd and /etc/group (musl's getpwuid/getgrgid); an id without
 * a name is printed as a number alone.  -u prints the effective uid only, -g the gid.
 * Simplified: supplementary groups are not listed.
 */
#include <grp.h>
#include <pwd.h>
#include "util.h"

static void print_user(unsigned uid)
{
    struct passwd *pw = getpwuid(uid);
    printf("%u", uid);
    if (pw)
        printf("(%s)", pw->pw_name);
}

static void print_group(unsigned gid)
{
    struct group *gr = getgrgid(gid);
    printf("%u", gid);
    if (gr)
        printf("(%s)", gr->gr_name);
}

int main(int argc, char **argv)
{
    set_prog(argv[0]);
    if (argc == 2 && strcmp(argv[1], "-u") == 0) {
        printf("%u\n", (unsigned)geteuid());
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "-g") == 0) {
        printf("%u\n", (unsigned)getegid());
        return 0;
    }
    if (argc > 1) {
        warn_msg("usage: id [-u|-g]");
        return 1;
    }
    printf("uid=");
    print_user(getuid());
    printf(" gid=");
    print_group(getgid());
    if (geteuid() != getuid()) {
        printf(" euid=");
        print_user(geteuid());
    }
    if (getegid() != getgid()) {
        printf(" egid=");
        print_group(getegid());
    }
    printf("\n");
    return 0;
}
