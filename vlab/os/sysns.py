"""Identity and namespace calls: uname, sethostname, setdomainname, the uid/gid calls,
unshare, setns.

The answers depend on the caller's namespaces (``namespaces.py``): ``uname`` reports the
hostname of its UTS namespace, ``getuid`` its uid as mapped into its user namespace
(user_namespaces(7): an unmapped id reads as the overflow uid 65534).

Privilege, simplified: Linux checks capabilities (CAP_SYS_ADMIN for unshare/setns/
sethostname, CAP_SETUID for setuid) in the user namespace that owns the resource.  Here a
process is *privileged* when its effective uid is 0 as seen in its own user namespace,
or when it is in a user namespace it created and has not mapped yet (the creator has
every capability in a new user namespace).  ``CLONE_NEWUSER`` itself needs no privilege.

``setns(fd, nstype)`` is a documented subset: ``fd`` is taken as the *pid* (in the
caller's PID namespace) of the process whose namespaces to join, in place of a
``/proc/PID/ns/*`` or pidfd descriptor; ``nstype`` 0 joins all of them, or one
``CLONE_NEW*`` flag names the kind.  Joining a PID namespace affects the children only,
as in Linux; joining a mount namespace puts root and cwd at its root.
"""

from __future__ import annotations

import struct

from .errno import EFAULT, EINVAL, EPERM, ESRCH, SyscallError
from .namespaces import ALL_NEW_FLAGS, CLONE_NEWNS, CLONE_NEWUSER, NEW_NAMESPACE_FLAGS
from .sysfile import signed
from .vfs.namei import FsContext

UTS_FIELD = 65
HOST_NAME_MAX = 64
SYSNAME, RELEASE, VERSION, MACHINE = "vlab", "0.1.0-pk", "#1 vlab kernel", "riscv32"
UNSHARE_ALSO = 0x0000_0200 | 0x0000_0400 | 0x0004_0000   # CLONE_FS, _FILES, _SYSVSEM


def uid_in(proc, outer: int, which: str = "uid") -> int:
    return proc.ns.user.from_outer(which, outer)


def privileged(proc) -> bool:
    user = proc.ns.user
    if user.parent is not None and not user.uid_map:
        return True
    return uid_in(proc, proc.creds.euid) == 0


def _require_privilege(proc, what: str) -> None:
    if not privileged(proc):
        raise SyscallError(EPERM, f"{what} needs root in the caller's user namespace")


def sys_uname(kernel, proc, buf, *_):
    """struct utsname: six fields of 65 bytes (sysname, nodename, release, version,
    machine, domainname); nodename and domainname from the UTS namespace."""
    if not buf:
        raise SyscallError(EFAULT, "NULL utsname")
    uts = proc.ns.uts
    values = (SYSNAME, uts.hostname, RELEASE, VERSION, MACHINE, uts.domainname)
    proc.space.write(buf, b"".join(v.encode()[:UTS_FIELD - 1].ljust(UTS_FIELD, b"\0")
                                   for v in values))
    return 0


def _set_uts(proc, attribute: str, name, length) -> int:
    _require_privilege(proc, f"set{attribute}")
    if length > HOST_NAME_MAX:
        raise SyscallError(EINVAL, f"{attribute} longer than {HOST_NAME_MAX} bytes")
    text = proc.space.read(name, length).decode("utf-8", errors="replace") if length else ""
    setattr(proc.ns.uts, attribute, text)
    return 0


def sys_sethostname(kernel, proc, name, length, *_):
    return _set_uts(proc, "hostname", name, length)


def sys_setdomainname(kernel, proc, name, length, *_):
    return _set_uts(proc, "domainname", name, length)


def sys_getuid(kernel, proc, *_):
    return uid_in(proc, proc.creds.uid)


def sys_geteuid(kernel, proc, *_):
    return uid_in(proc, proc.creds.euid)


def sys_getgid(kernel, proc, *_):
    return uid_in(proc, proc.creds.gid, "gid")


def sys_getegid(kernel, proc, *_):
    return uid_in(proc, proc.creds.egid, "gid")


def _getres(proc, buffers, ids, which):
    for address, value in zip(buffers, ids, strict=True):
        proc.space.write(address, struct.pack("<I", uid_in(proc, value, which)))
    return 0


def sys_getresuid(kernel, proc, ruid, euid, suid, *_):
    c = proc.creds
    return _getres(proc, (ruid, euid, suid), (c.uid, c.euid, c.suid), "uid")


def sys_getresgid(kernel, proc, rgid, egid, sgid, *_):
    c = proc.creds
    return _getres(proc, (rgid, egid, sgid), (c.gid, c.egid, c.sgid), "gid")


def _set_id(proc, value: int, which: str) -> int:
    """setuid/setgid (credentials(7)): privileged -> real, effective and saved ids;
    else only the effective id, to the real or saved one."""
    outer = proc.ns.user.to_outer(which, value)
    if value >= 0xFFFF_FFFF or outer == 65534 and value != 65534:
        raise SyscallError(EINVAL, f"{which} {value} is not mapped in the user namespace")
    c = proc.creds
    if privileged(proc):
        if which == "uid":
            c.uid = c.euid = c.suid = outer
        else:
            c.gid = c.egid = c.sgid = outer
        return 0
    real, saved = (c.uid, c.suid) if which == "uid" else (c.gid, c.sgid)
    if outer not in (real, saved):
        raise SyscallError(EPERM, f"an unprivileged process may set its {which} only to "
                                  "its real or saved one")
    if which == "uid":
        c.euid = outer
    else:
        c.egid = outer
    return 0


def sys_setuid(kernel, proc, uid, *_):
    return _set_id(proc, uid, "uid")


def sys_setgid(kernel, proc, gid, *_):
    return _set_id(proc, gid, "gid")


def sys_unshare(kernel, proc, flags, *_):
    if flags & ~(ALL_NEW_FLAGS | UNSHARE_ALSO):
        raise SyscallError(EINVAL, f"unshare flags {flags:#x}: only CLONE_NEW* (and "
                                   "CLONE_FS, CLONE_FILES, CLONE_SYSVSEM) are supported")
    if flags & ALL_NEW_FLAGS & ~CLONE_NEWUSER:
        if not (flags & CLONE_NEWUSER):
            _require_privilege(proc, "unshare of a namespace")
    proc.ns = proc.ns.unshare(flags, proc.creds.euid)
    if flags & CLONE_NEWNS and proc.fs is not None and proc.ns.mnt is not None:
        proc.fs.rebind(proc.ns.mnt)            # the same places, in the copied table
    return 0


def sys_setns(kernel, proc, fd, nstype, *_):
    """Join the namespaces of the process numbered ``fd`` (see the module docstring)."""
    target = kernel.lookup(proc, signed(fd))
    if target is None or target.state == "Z":
        raise SyscallError(ESRCH, f"no process {signed(fd)} in the caller's PID namespace "
                                  "(setns here takes a pid instead of a namespace fd)")
    kinds = [k for k, flag in NEW_NAMESPACE_FLAGS.items() if nstype in (0, flag)]
    if not kinds:
        raise SyscallError(EINVAL, f"nstype {nstype:#x} is not 0 or one CLONE_NEW* flag")
    _require_privilege(proc, "setns")
    if "pid" in kinds and proc.ns.pid not in target.ns.pid.ancestry():
        raise SyscallError(EINVAL, "a process may join only its own PID namespace or one "
                                   "nested in it")
    new = proc.ns.unshare(0)
    for kind in kinds:
        if kind == "pid":
            new.pid_for_children = target.ns.pid
        else:
            setattr(new, kind, getattr(target.ns, kind))
    proc.ns = new
    if "mnt" in kinds and new.mnt is not None and proc.fs is not None:
        proc.fs = FsContext(new.mnt.root())   # setns(2): root and cwd at its root
    return 0


CALLS = {
    "uname": sys_uname,
    "sethostname": sys_sethostname,
    "setdomainname": sys_setdomainname,
    "getuid": sys_getuid,
    "geteuid": sys_geteuid,
    "getgid": sys_getgid,
    "getegid": sys_getegid,
    "getresuid": sys_getresuid,
    "getresgid": sys_getresgid,
    "setuid": sys_setuid,
    "setgid": sys_setgid,
    "unshare": sys_unshare,
    "setns": sys_setns,
}
