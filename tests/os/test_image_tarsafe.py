"""Hostile layer tars are refused by member name; whiteouts apply as layer.md says."""

import gzip
import io
import tarfile

import pytest

from vlab.os.fs import ImageLayer, Overlay, WritableLayer
from vlab.os.image import ImageError, ImageStore, UnsafeMember, tarsafe
from vlab.os.image.tarsafe import read_layer, to_image_layer, uncompress


def make_tar(*members) -> bytes:
    """members: (name, type, data_or_linkname) with type 'file' 'dir' 'sym' 'hard' or a tar type."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, kind, payload in members:
            info = tarfile.TarInfo(name)
            data = b""
            if kind == "file":
                data = payload
                info.size = len(data)
            elif kind == "dir":
                info.type = tarfile.DIRTYPE
            elif kind == "sym":
                info.type, info.linkname = tarfile.SYMTYPE, payload
            elif kind == "hard":
                info.type, info.linkname = tarfile.LNKTYPE, payload
            else:
                info.type = kind
            archive.addfile(info, io.BytesIO(data) if data else None)
    return buffer.getvalue()


def layer_of(*members) -> ImageLayer:
    return to_image_layer(read_layer(make_tar(*members), "test layer"), "test layer")


@pytest.mark.parametrize("members, match", [
    ([("/etc/passwd", "file", b"x")], r"member '/etc/passwd' is an absolute path"),
    ([("../../x", "file", b"x")], r"member '\.\./\.\./x' contains '\.\.'"),
    ([("a/../../x", "file", b"x")], r"contains '\.\.'"),
    ([("dev/sda", tarfile.BLKTYPE, None)], r"member 'dev/sda' is a block device"),
    ([("dev/tty", tarfile.CHRTYPE, None)], r"member 'dev/tty' is a character device"),
    ([("fifo", tarfile.FIFOTYPE, None)], r"member 'fifo' is a FIFO"),
    ([("a", "file", b"1"), ("./a", "file", b"2")], r"member '\./a' appears twice"),
    ([("link", "sym", "../../../etc/passwd")], r"member 'link' is a symlink to "
     r"'\.\./\.\./\.\./etc/passwd', which points outside the image root"),
    ([("d/link", "sym", "../../x")], r"points outside"),
    ([("a", "sym", "b"), ("b", "sym", "a")], r"symbolic link loop: /a -> /b -> /a \(ELOOP\)"),
    ([("a", "sym", "a")], r"loop"),
    ([("etc", "sym", "/tmp"), ("etc/passwd", "file", b"x")],
     r"member 'etc/passwd' lies beneath 'etc', which is a symlink"),
    ([("etc/passwd", "file", b"x"), ("etc", "sym", "/tmp")], r"lies beneath 'etc'"),
    ([("h", "hard", "../outside")], r"points outside"),
    ([("h", "hard", "missing")], r"hard link to 'missing', which is not a regular file "
     r"earlier in this layer"),
    ([("h", "hard", "later"), ("later", "file", b"x")], r"not a regular file earlier"),
    ([("d/" + "n" * 256, "file", b"x")], r"NAME_MAX"),
    ([("a/.wh.", "file", b"")], r"hides no file"),
])
def test_hostile_members_are_refused_by_name(members, match):
    with pytest.raises(UnsafeMember, match=match):
        layer_of(*members)


def test_huge_members_and_layers_are_refused(monkeypatch):
    monkeypatch.setattr(tarsafe, "MAX_MEMBER", 100)
    with pytest.raises(UnsafeMember, match=r"member 'big' is 101 bytes, above the per-file cap"):
        layer_of(("big", "file", b"x" * 101))
    monkeypatch.setattr(tarsafe, "MAX_MEMBERS", 3)
    with pytest.raises(UnsafeMember, match="more than 3 members"):
        layer_of(*[(f"f{i}", "file", b"") for i in range(4)])


def test_gzip_bomb_stops_at_the_cap(monkeypatch):
    monkeypatch.setattr(tarsafe, "MAX_LAYER", 1 << 16)
    bomb = gzip.compress(b"\0" * (1 << 20))
    assert len(bomb) < 2000
    with pytest.raises(UnsafeMember, match="gzip bomb"):
        uncompress(bomb, "gzip", "blob x")
    with pytest.raises(ImageError, match="truncated"):
        uncompress(gzip.compress(b"abc" * 100)[:-12], "gzip", "blob x")
    with pytest.raises(ImageError, match="not valid gzip"):
        uncompress(b"not gzip at all", "gzip", "blob x")


def test_not_a_tar_is_a_clear_error():
    with pytest.raises(ImageError, match="not a valid tar archive"):
        read_layer(b"\x01" * 1024, "blob y")


def test_links_are_neutralised_into_copies():
    layer = layer_of(("bin/busybox", "file", b"BB"), ("bin/sh", "sym", "busybox"),
                     ("bin/ls", "hard", "bin/busybox"), ("usr/bin/env", "sym", "/bin/sh"),
                     ("etc/", "dir", None))
    assert {p: layer.read(p) for p in layer.paths()} == {
        "/bin/busybox": b"BB", "/bin/ls": b"BB", "/bin/sh": b"BB", "/usr/bin/env": b"BB"}


def test_a_link_to_a_directory_cannot_be_kept():
    with pytest.raises(UnsafeMember, match="not a regular file of this layer"):
        layer_of(("lib", "dir", None), ("lib64", "sym", "lib"))


def test_archives_from_other_tools_are_read(tmp_path):
    """``./`` prefixes, directory entries, modes and mtimes (a tar made by `tar -C dir .`)."""
    (tmp_path / "root" / "etc").mkdir(parents=True)
    (tmp_path / "root" / "etc" / "motd").write_bytes(b"hi")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        archive.add(tmp_path / "root", arcname=".")
    layer = to_image_layer(read_layer(buffer.getvalue(), "layer"), "layer")
    assert layer.paths() == ["/etc/motd"] and layer.read("/etc/motd") == b"hi"


def test_whiteouts_and_opaque_directories_apply_in_the_overlay(tmp_path):
    store = ImageStore(tmp_path / "s")
    lower = make_tar(("etc/motd", "file", b"m"), ("etc/hosts", "file", b"h"),
                     ("var/cache/a", "file", b"a"), ("var/cache/b", "file", b"b"),
                     ("opt/tool/x", "file", b"x"))
    upper = make_tar(("etc/.wh.motd", "file", b""), ("var/cache/.wh..wh..opq", "file", b""),
                     ("var/cache/c", "file", b"c"), ("opt/.wh.tool", "file", b""))
    refs = [store.add_layer(lower), store.add_layer(upper, compress=True)]
    store.add_image("wh", refs)
    overlay = Overlay(WritableLayer(), store.rootfs_layers("wh"))
    assert overlay.visible_files() == ["/etc/hosts", "/var/cache/c"]
    assert store.rootfs_layers("wh")[0].opaque_dirs() == frozenset({"/var/cache"})


def test_add_layer_refuses_a_hostile_tar_and_stores_nothing(tmp_path):
    store = ImageStore(tmp_path / "s")
    with pytest.raises(UnsafeMember, match="absolute path"):
        store.add_layer(make_tar(("/abs", "file", b"x")))
    assert list((store.root / "blobs" / "sha256").iterdir()) == []
    with pytest.raises(ImageError, match="takes a tar"):
        store.add_layer("not bytes")
