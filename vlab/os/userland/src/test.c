/* test, [ -- evaluate a condition: exit status 0 if true, 1 if false, 2 on an error
 * (POSIX test(1)).  As "[" its last argument must be "]".
 *
 *   test -e FILE    exists               -f FILE   a regular file     -d FILE  a directory
 *        -r/-w/-x FILE  access(2) allows  -s FILE   not empty          -L FILE  a symlink
 *        -n STRING  not empty            -z STRING  empty
 *        S1 = S2, S1 != S2               N1 -eq -ne -lt -le -gt -ge N2 (integers)
 *        ! EXPR, EXPR -a EXPR, EXPR -o EXPR, ( EXPR ), and a lone STRING (not empty)
 *
 * Parsed by recursive descent: -o binds looser than -a, which binds looser than !.
 * Simplified: POSIX's rules by argument count for odd expressions such as "test ! = !"
 * are not followed; such ones are read by the grammar above.
 */
#include <sys/stat.h>
#include "util.h"

static char **args;
static int nargs, pos;

static void fail(const char *why, const char *near)
{
    if (near)
        warn_msg("%s: %s", near, why);
    else
        warn_msg("%s", why);
    exit(2);
}

static const char *next(void)
{
    if (pos >= nargs)
        fail("argument expected", args[nargs - 1]);
    return args[pos++];
}

static long integer(const char *s)
{
    char *end;
    long value = strtol(s, &end, 10);
    if (!*s || *end)
        fail("integer expression expected", s);
    return value;
}

static int file_test(char op, const char *path)
{
    struct stat st;
    if (op == 'L' || op == 'h')
        return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
    if (op == 'r' || op == 'w' || op == 'x')
        return access(path, op == 'r' ? R_OK : op == 'w' ? W_OK : X_OK) == 0;
    if (stat(path, &st) < 0)
        return 0;
    switch (op) {
    case 'e': return 1;
    case 'f': return S_ISREG(st.st_mode);
    case 'd': return S_ISDIR(st.st_mode);
    case 's': return st.st_size > 0;
    case 'c': return S_ISCHR(st.st_mode);
    case 'b': return S_ISBLK(st.st_mode);
    case 'p': return S_ISFIFO(st.st_mode);
    default: return -1;
    }
}

static int eq(long a, long b) { return a == b; }
static int ne(long a, long b) { return a != b; }
static int lt(long a, long b) { return a < b; }
static int le(long a, long b) { return a <= b; }
static int gt(long a, long b) { return a > b; }
static int ge(long a, long b) { return a >= b; }

static const struct { const char *name; int (*holds)(long, long); } COMPARISONS[] = {
    {"-eq", eq}, {"-ne", ne}, {"-lt", lt}, {"-le", le}, {"-gt", gt}, {"-ge", ge},
};

static int or_expr(void);

static int is_binary(const char *s)
{
    if (!strcmp(s, "=") || !strcmp(s, "!="))
        return 1;
    for (unsigned i = 0; i < sizeof COMPARISONS / sizeof COMPARISONS[0]; i++)
        if (!strcmp(s, COMPARISONS[i].name))
            return 1;
    return 0;
}

static int primary(void)
{
    const char *a = next();
    if (!strcmp(a, "(") && pos < nargs) {
        int value = or_expr();
        if (strcmp(next(), ")"))
            fail("')' expected", args[pos - 1]);
        return value;
    }
    if (pos < nargs && is_binary(args[pos])) {          /* A op B */
        const char *op = next(), *b = next();
        if (!strcmp(op, "="))
            return strcmp(a, b) == 0;
        if (!strcmp(op, "!="))
            return strcmp(a, b) != 0;
        for (unsigned i = 0; i < sizeof COMPARISONS / sizeof COMPARISONS[0]; i++)
            if (!strcmp(op, COMPARISONS[i].name))
                return COMPARISONS[i].holds(integer(a), integer(b));
    }
    if (a[0] == '-' && a[1] && !a[2] && pos < nargs) {  /* -X operand */
        if (a[1] == 'n')
            return next()[0] != 0;
        if (a[1] == 'z')
            return next()[0] == 0;
        int value = file_test(a[1], args[pos]);
        if (value < 0)
            fail("unknown operator", a);
        pos++;
        return value;
    }
    return a[0] != 0;                                   /* a lone string */
}

static int not_expr(void)
{
    if (pos < nargs && !strcmp(args[pos], "!") && pos + 1 < nargs) {
        pos++;
        return !not_expr();
    }
    return primary();
}

static int and_expr(void)
{
    int value = not_expr();
    while (pos < nargs && !strcmp(args[pos], "-a")) {
        pos++;
        int right = not_expr();
        value = value && right;
    }
    return value;
}

static int or_expr(void)
{
    int value = and_expr();
    while (pos < nargs && !strcmp(args[pos], "-o")) {
        pos++;
        int right = and_expr();
        value = value || right;
    }
    return value;
}

int main(int argc, char **argv)
{
    set_prog(argv[0]);
    args = argv + 1;
    nargs = argc - 1;
    if (!strcmp(prog, "[")) {
        if (nargs == 0 || strcmp(args[nargs - 1], "]"))
            fail("missing ']'", NULL);
        nargs--;
    }
    if (nargs == 0)
        return 1;
    int value = or_expr();
    if (pos < nargs)
        fail("unexpected argument", args[pos]);
    return value ? 0 : 1;
}
