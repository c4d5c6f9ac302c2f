/* signames.h -- signal names and numbers (Linux asm-generic/signal.h, the numbering of
 * RISC-V and x86 alike), for kill and the shell's messages.
 */
#ifndef VLAB_SIGNAMES_H
#define VLAB_SIGNAMES_H

#include <signal.h>
#include <string.h>
#include <strings.h>

static const struct { const char *name; int number; } SIGNALS[] = {
    {"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP}, {"ABRT", SIGABRT}, {"BUS", SIGBUS}, {"FPE", SIGFPE},
    {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM}, {"CHLD", SIGCHLD},
    {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN},
    {"TTOU", SIGTTOU}, {"URG", SIGURG}, {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
    {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},
    {"PWR", SIGPWR}, {"SYS", SIGSYS},
};
#define NSIGNAMES (sizeof SIGNALS / sizeof SIGNALS[0])

/* "TERM", "SIGTERM" (any case) or "15" -> 15; -1 if unknown. */
static inline int signal_number(const char *s)
{
    if (*s >= '0' && *s <= '9') {
        int n = 0;
        for (; *s >= '0' && *s <= '9'; s++)
            n = n * 10 + (*s - '0');
        return (*s || n >= 65) ? -1 : n;
    }
    if (strncasecmp(s, "SIG", 3) == 0)
        s += 3;
    for (unsigned i = 0; i < NSIGNAMES; i++)
        if (strcasecmp(s, SIGNALS[i].name) == 0)
            return SIGNALS[i].number;
    return -1;
}

/* 15 -> "TERM"; NULL if it has no name here. */
static inline const char *signal_name(int number)
{
    for (unsigned i = 0; i < NSIGNAMES; i++)
        if (SIGNALS[i].number == number)
            return SIGNALS[i].name;
    return 0;
}

#endif
