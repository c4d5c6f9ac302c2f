"""Sockets (issue 9, first part): AF_UNIX stream sockets and UDP over loopback.

One concept per file: ``errnos.py`` (the socket errno numbers), ``addr.py`` (struct
sockaddr_un / sockaddr_in in user memory), ``socket.py`` (the socket as an open file, and
its options), ``names.py`` (where names and ports are looked up: per-namespace
tables), ``unix.py`` (AF_UNIX SOCK_STREAM: listen, connect, accept, a byte stream in
each direction), ``udp.py`` (AF_INET SOCK_DGRAM on the loopback of a network namespace).
The system calls are in ``../sysnet.py``.  TCP, veth/bridge devices and port publishing
are not modeled.
"""
