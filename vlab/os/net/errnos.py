"""The errno numbers of the socket calls (Linux's include/uapi/asm-generic/errno.h).

``../errno.py`` holds the file-system ones; these are the networking block 88..111.
"""

ENOTSOCK, EDESTADDRREQ, EMSGSIZE, EPROTOTYPE, ENOPROTOOPT = 88, 89, 90, 91, 92
EPROTONOSUPPORT, ESOCKTNOSUPPORT, EOPNOTSUPP, EAFNOSUPPORT = 93, 94, 95, 97
EADDRINUSE, EADDRNOTAVAIL, ENETUNREACH = 98, 99, 101
EISCONN, ENOTCONN, ECONNREFUSED = 106, 107, 111
