/* grep -- print the lines that match a pattern (POSIX grep(1)):
 *   grep [-v] [-c] [-i] [-n] [-q] [-F | -E] PATTERN [FILE...]
 * The pattern is a basic regular expression compiled by musl's regcomp(3) (-E: an
 * extended one; -F: a fixed string found with strstr).  -v selects the lines that do
 * not match, -c prints a count instead of lines, -i ignores case, -n numbers the lines,
 * -q prints nothing.  With several files each line starts with "NAME:".
 * Exit status: 0 a line was selected, 1 none, 2 an error (POSIX).
 */
#include <ctype.h>
#include <regex.h>
#include "util.h"

static int invert, count_only, ignore_case, numbers, quiet, fixed, extended;
static const char *pattern;
static regex_t regex;

static int matches(const char *line)
{
    if (fixed)
        return (ignore_case ? strcasestr(line, pattern) : strstr(line, pattern)) != NULL;
    return regexec(&regex, line, 0, NULL, 0) == 0;
}

/* The number of selected lines of the stream (printed as they are found). */
static long grep(FILE *in, const char *name)
{
    char *line = NULL;
    size_t cap = 0;
    long number = 0, selected = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, in)) >= 0) {
        number++;
        if (len > 0 && line[len - 1] == '\n')
            line[len - 1] = 0;
        if (matches(line) == invert)
            continue;
        selected++;
        if (quiet)
            break;              /* one line decides the status: stop reading */
        if (count_only)
            continue;
        if (name)
            printf("%s:", name);
        if (numbers)
            printf("%ld:", number);
        printf("%s\n", line);
    }
    free(line);
    if (count_only && !quiet) {
        if (name)
            printf("%s:", name);
        printf("%ld\n", selected);
    }
    return selected;
}

int main(int argc, char **argv)
{
    int i = 1, error = 0;
    long selected = 0;
    set_prog(argv[0]);
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        }
        for (char *o = argv[i] + 1; *o; o++) {
            switch (*o) {
            case 'v': invert = 1; break;
            case 'c': count_only = 1; break;
            case 'i': ignore_case = 1; break;
            case 'n': numbers = 1; break;
            case 'q': quiet = 1; break;
            case 'F': fixed = 1; break;
            case 'E': extended = 1; break;
            default:
                warn_msg("unknown option -%c (use -v -c -i -n -q -F -E)", *o);
                return 2;
            }
        }
    }
    if (i == argc) {
        warn_msg("usage: grep [-vcinqFE] PATTERN [FILE...]");
        return 2;
    }
    pattern = argv[i++];
    if (!fixed) {
        int flags = REG_NOSUB | (extended ? REG_EXTENDED : 0) | (ignore_case ? REG_ICASE : 0);
        int rc = regcomp(&regex, pattern, flags);
        if (rc != 0) {
            char why[128];
            regerror(rc, &regex, why, sizeof why);
            warn_msg("bad pattern '%s': %s", pattern, why);
            return 2;
        }
    }
    if (i == argc)
        selected = grep(stdin, NULL);
    for (int files = argc - i; i < argc; i++) {
        FILE *in = strcmp(argv[i], "-") == 0 ? stdin : fopen(argv[i], "r");
        if (!in) {
            warn_errno(argv[i]);
            error = 1;
            continue;
        }
        selected += grep(in, files > 1 ? argv[i] : NULL);
        if (in != stdin)
            fclose(in);
        if (quiet && selected > 0)
            return 0;
    }
    fflush(stdout);
    return error ? 2 : selected > 0 ? 0 : 1;
}
