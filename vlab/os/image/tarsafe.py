"""Reading a layer tar without trusting it: every member checked before anything is kept.

A layer (``layer.md``) comes from whoever built the image, so its tar may be hostile.
The classic attacks and what this reader does with each (the member is named in the
:class:`~vlab.os.image.errors.UnsafeMember` error):

======================================  ===============================================
member                                  treatment
======================================  ===============================================
absolute name ``/etc/passwd``           refused (layer.md: names are relative to root)
``..`` anywhere in the name             refused ("zip slip", CWE-22); ``./`` is allowed
name under a symlink of the same layer  refused (writing through a link escapes)
link target climbing above ``/``       refused; an absolute target means the image root
symlink loop or > 40 hops               refused (``ELOOP``; ``MAXSYMLINKS`` = 40 in
                                        Linux ``include/linux/namei.h``)
hard link to a name not earlier in the  refused (a hard link can only name a file of
layer, or to a directory                the archive itself)
device node, FIFO, sparse or other      refused: containers get devices from devfs,
type                                    never from an image
file larger than :data:`MAX_MEMBER`,    refused, and gzip is inflated in bounded steps,
layer larger than :data:`MAX_LAYER`     so a "gzip bomb" stops at the cap
the same name twice                     refused (tar would let the last one win
                                        silently)
``.wh.`` name with nothing after it     refused (a whiteout must name a file)
======================================  ===============================================

Nothing is written anywhere while reading: the result is a :class:`LayerContents` in
memory, turned into the layer store's :class:`~vlab.os.fs.ImageLayer` by
:func:`to_image_layer`.  That store holds regular files only, so the last step is a
*neutralisation*: a hard link becomes a copy of its target, a symbolic link to a
regular file of the same layer becomes a copy of that file, and a directory is implicit
(its mode is not kept).  A symbolic link to a directory or to a file of another layer
cannot be copied without the layers below, and is refused with a message saying so.
"""

from __future__ import annotations

import io
import tarfile
import zlib
from dataclasses import dataclass, field

from vlab.os.fs import ImageLayer
from vlab.os.fs.errors import FsError
from vlab.os.fs.paths import ROOT, ancestors, normalize, parent
from vlab.os.fs.whiteout import decode
from vlab.os.image.errors import ImageError, UnsafeMember

MAX_MEMBER = 16 * 1024 * 1024   # bytes of one file
MAX_LAYER = 64 * 1024 * 1024    # bytes of one uncompressed layer tar
MAX_MEMBERS = 20_000            # entries of one layer
MAXSYMLINKS = 40                # include/linux/namei.h

#: tarfile member type -> the kind kept here (every other type is refused).
KINDS = {tarfile.REGTYPE: "file", tarfile.AREGTYPE: "file", tarfile.DIRTYPE: "dir",
         tarfile.SYMTYPE: "symlink", tarfile.LNKTYPE: "hardlink"}
REFUSED = {tarfile.CHRTYPE: "character device", tarfile.BLKTYPE: "block device",
           tarfile.FIFOTYPE: "FIFO", tarfile.CONTTYPE: "contiguous file",
           tarfile.GNUTYPE_SPARSE: "sparse file"}


@dataclass
class Member:
    """One checked member: canonical absolute ``path``, kind, mode, bytes or link target."""

    path: str
    kind: str
    mode: int
    data: bytes = b""
    target: str = ""


@dataclass
class LayerContents:
    """A checked layer: members by canonical path, in archive order."""

    members: dict[str, Member] = field(default_factory=dict)

    def files(self) -> dict[str, bytes]:
        return {p: m.data for p, m in self.members.items() if m.kind == "file"}


def uncompress(blob: bytes, compression: str | None, what: str) -> bytes:
    """The tar inside a layer blob, inflated in bounded steps (at most :data:`MAX_LAYER`)."""
    if compression is None:
        return blob
    if compression != "gzip":
        raise ImageError(f"{what}: compression {compression!r} is not supported")
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(blob, MAX_LAYER + 1)
    except zlib.error as error:
        raise ImageError(f"{what}: not valid gzip data ({error}); the blob is damaged") from None
    if len(out) > MAX_LAYER or inflater.unconsumed_tail:
        raise UnsafeMember(f"{what}: inflates to more than {MAX_LAYER} bytes (the layer "
                           "size cap); refusing a possible gzip bomb")
    if not inflater.eof:
        raise ImageError(f"{what}: gzip stream is truncated; the blob is damaged")
    return out


def read_layer(tar: bytes, what: str) -> LayerContents:
    """Check every member of an uncompressed layer tar; refuse the layer at the first bad one."""
    if len(tar) > MAX_LAYER:
        raise UnsafeMember(f"{what}: {len(tar)} bytes exceeds the layer size cap {MAX_LAYER}")
    contents = LayerContents()
    try:
        with tarfile.open(fileobj=io.BytesIO(tar), mode="r:") as archive:
            for count, info in enumerate(archive, 1):
                if count > MAX_MEMBERS:
                    raise UnsafeMember(f"{what}: more than {MAX_MEMBERS} members")
                member = _check_member(info, contents, what)
                if member.kind == "file":
                    member.data = archive.extractfile(info).read()
                contents.members[member.path] = member
    except (tarfile.TarError, EOFError) as error:
        raise ImageError(f"{what}: not a valid tar archive ({error}); the blob is "
                         "damaged or not a layer") from None
    _check_links(contents, what)
    return contents


def _check_member(info: tarfile.TarInfo, contents: LayerContents, what: str) -> Member:
    name = info.name
    where = f"{what}: member {name!r}"
    if info.type in REFUSED or info.type not in KINDS:
        kind = REFUSED.get(info.type, f"type {info.type!r}")
        raise UnsafeMember(f"{where} is a {kind}; layers may hold files, directories and "
                           "links only (devices come from the kernel's devfs)")
    if name.startswith("/"):
        raise UnsafeMember(f"{where} is an absolute path; layer members are relative to "
                           "the image root (write 'etc/x', not '/etc/x')")
    if ".." in name.split("/"):
        raise UnsafeMember(f"{where} contains '..'; a member must stay inside the image root")
    try:
        path = normalize("/" + name)
    except FsError as error:
        raise UnsafeMember(f"{where}: {error}") from None
    if path == ROOT:
        if KINDS[info.type] != "dir":
            raise UnsafeMember(f"{where} names the root but is not a directory")
        return Member(path, "dir", info.mode)
    if path in contents.members:
        raise UnsafeMember(f"{where} appears twice (as {path!r}); a layer names each path "
                           "once")
    if info.size > MAX_MEMBER:
        raise UnsafeMember(f"{where} is {info.size} bytes, above the per-file cap "
                           f"{MAX_MEMBER}")
    kind = KINDS[info.type]
    try:
        decode(path)
    except FsError as error:
        raise UnsafeMember(f"{where}: {error}") from None
    target = info.linkname if kind in ("symlink", "hardlink") else ""
    if kind in ("symlink", "hardlink") and (not target or "\x00" in target):
        raise UnsafeMember(f"{where} is a link with an empty or malformed target")
    return Member(path, kind, info.mode & 0o7777, target=target)


def link_target(member: Member) -> str:
    """Canonical absolute path a link points at; absolute targets mean the image root."""
    if member.kind == "hardlink":  # tar names a hard link's target by its member name
        return normalize("/" + member.target)
    return normalize(member.target, parent(member.path))


def _check_links(contents: LayerContents, what: str) -> None:
    for member in contents.members.values():
        for above in ancestors(member.path)[:-1]:
            held = contents.members.get(above)
            if held is not None and held.kind != "dir":
                raise UnsafeMember(
                    f"{what}: member {member.path.lstrip('/')!r} lies beneath "
                    f"{above.lstrip('/')!r}, which is a {held.kind}; a member written "
                    "through a link (or under a file) could leave the root")
        if member.kind not in ("symlink", "hardlink"):
            continue
        where = f"{what}: member {member.path.lstrip('/')!r}"
        try:
            target = link_target(member)
        except FsError:
            raise UnsafeMember(f"{where} is a {member.kind} to {member.target!r}, which "
                               "points outside the image root") from None
        if member.kind == "hardlink":
            order = list(contents.members)
            held = contents.members.get(target)
            if (held is None or held.kind != "file"
                    or order.index(target) > order.index(member.path)):
                raise UnsafeMember(f"{where} is a hard link to {member.target!r}, which is "
                                   "not a regular file earlier in this layer")
        else:
            _follow(member, contents, where)


def _follow(member: Member, contents: LayerContents, where: str) -> Member | None:
    """The member a symlink finally names in this layer (None if elsewhere); loops refused."""
    seen = [member.path]
    node = member
    for _ in range(MAXSYMLINKS):
        target = link_target(node)
        nxt = contents.members.get(target)
        if nxt is None or nxt.kind != "symlink":
            return nxt
        if nxt.path in seen:
            raise UnsafeMember(f"{where} is a symbolic link loop: "
                               f"{' -> '.join([*seen, nxt.path])} (ELOOP)")
        seen.append(nxt.path)
        node = nxt
    raise UnsafeMember(f"{where}: more than {MAXSYMLINKS} symbolic links to follow (ELOOP)")


def to_image_layer(contents: LayerContents, what: str, name: str = "layer") -> ImageLayer:
    """The layer store's :class:`ImageLayer` for checked contents (links neutralised)."""
    files: dict[str, bytes] = {}
    whiteouts, opaque = [], []
    for member in contents.members.values():
        kind, path = decode(member.path)
        if kind == "whiteout":
            whiteouts.append(path)
        elif kind == "opaque":
            opaque.append(path)
        elif member.kind == "file":
            files[path] = member.data
        elif member.kind == "hardlink":
            files[path] = contents.members[link_target(member)].data
        elif member.kind == "symlink":
            final = _follow(member, contents, what)
            if final is None or final.kind not in ("file", "hardlink"):
                raise UnsafeMember(
                    f"{what}: member {member.path.lstrip('/')!r} is a symbolic link to "
                    f"{member.target!r}, which is not a regular file of this layer; the "
                    "layer store (vlab.os.fs) holds regular files only, so such a link "
                    "cannot be kept: copy the file instead of linking it")
            files[path] = (final.data if final.kind == "file"
                           else contents.members[link_target(final)].data)
    try:
        return ImageLayer(files, whiteouts=whiteouts, opaque_dirs=opaque, name=name)
    except FsError as error:
        raise UnsafeMember(f"{what}: {error}") from None
