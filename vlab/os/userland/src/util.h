/* util.h -- the few helpers every vlab userland program shares.
 *
 * Each program of this directory is one small C file linked statically against musl
 * libc.  Error messages follow one format, "PROG: WHAT: REASON" (as GNU coreutils print
 * them; busybox is close), with REASON from strerror(errno), so the same program prints
 * the same words on Linux and on the vlab kernel.
 */
#ifndef VLAB_UTIL_H
#define VLAB_UTIL_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The program's name for messages: argv[0] without its directory. */
static const char *prog = "?";

static inline void set_prog(const char *argv0)
{
    const char *slash = strrchr(argv0, '/');
    prog = slash ? slash + 1 : argv0;
}

/* "PROG: WHAT: strerror(errno)" on stderr. */
static inline void warn_errno(const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
}

/* "PROG: MESSAGE" on stderr (printf-style). */
static inline void warn_msg(const char *format, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, format);
    vfprintf(stderr, format, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Write all of buf to fd (write(2) may write less than asked); -1 on error. */
static inline int write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t done = write(fd, buf, n);
        if (done < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += done;
        n -= (size_t)done;
    }
    return 0;
}

/* A non-negative decimal number, or -1 if s is not one. */
static inline long parse_count(const char *s)
{
    char *end;
    long value;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    value = strtol(s, &end, 10);
    return (*end || errno) ? -1 : value;
}

#endif
