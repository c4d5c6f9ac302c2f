"""C prototypes of the libc functions the tracer shows, as ltrace's ``ltrace.conf`` does.

Each row: the argument kinds (``s`` a C string, ``i`` an int, ``p`` a pointer, ``c`` a
char, ``...`` stops there) and the result kind.  Prototypes are C99 / POSIX.1-2008.
"""

from __future__ import annotations

PROTOTYPES: dict[str, tuple[str, str]] = {
    "fopen": ("ss", "p"), "fclose": ("p", "i"), "fgets": ("pip", "p"),
    "fputs": ("sp", "i"), "fread": ("piip", "i"), "fwrite": ("piip", "i"),
    "puts": ("s", "i"), "putchar": ("c", "i"), "printf": ("s...", "i"),
    "fprintf": ("ps...", "i"), "sprintf": ("ps...", "i"), "snprintf": ("pis...", "i"),
    "open": ("si", "i"), "close": ("i", "i"), "read": ("ipi", "i"), "write": ("ipi", "i"),
    "malloc": ("i", "p"), "calloc": ("ii", "p"), "realloc": ("pi", "p"), "free": ("p", ""),
    "strlen": ("s", "i"), "strcmp": ("ss", "i"), "strcpy": ("ps", "p"),
    "memcpy": ("ppi", "p"), "memset": ("pii", "p"), "atoi": ("s", "i"),
    "time": ("p", "i"), "clock_gettime": ("ip", "i"), "sleep": ("i", "i"),
    "getenv": ("s", "s"), "exit": ("i", ""), "rand": ("", "i"), "srand": ("i", ""),
}
