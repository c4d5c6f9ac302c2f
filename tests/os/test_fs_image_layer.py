"""Immutable layers are content-addressed: the digest is the SHA-256 of a canonical tar."""

import hashlib
import io
import tarfile

import pytest

from vlab.os.fs.errors import LayerFormatError, PathEscapeError, ReservedNameError
from vlab.os.fs.image_layer import ImageLayer

FILES = {"/etc/motd": b"hello\n", "/usr/bin/tool": b"\x7fELF"}


def test_digest_is_the_sha256_of_the_tar():
    layer = ImageLayer(FILES)
    assert layer.digest() == "sha256:" + hashlib.sha256(layer.to_tar()).hexdigest()


def test_digest_is_stable_and_independent_of_insertion_order_and_name():
    one = ImageLayer(FILES, name="one")
    two = ImageLayer(dict(reversed(list(FILES.items()))), name="two")
    assert one.digest() == two.digest() and one == two
    assert one.to_tar() == two.to_tar()


@pytest.mark.parametrize("change", [
    {"files": {**FILES, "/etc/motd": b"hello!\n"}},
    {"files": {**FILES, "/etc/new": b""}},
    {"files": {"/etc/motd2": FILES["/etc/motd"], "/usr/bin/tool": FILES["/usr/bin/tool"]}},
    {"files": FILES, "whiteouts": ["/etc/passwd"]},
    {"files": FILES, "opaque_dirs": ["/usr"]},
])
def test_any_change_of_content_changes_the_digest(change):
    assert ImageLayer(**change).digest() != ImageLayer(FILES).digest()


def test_the_tar_uses_oci_whiteout_names_and_reads_back():
    layer = ImageLayer({"/a/new": b"n"}, whiteouts=["/etc/motd"], opaque_dirs=["/a"])
    with tarfile.open(fileobj=io.BytesIO(layer.to_tar())) as archive:
        names = archive.getnames()
        assert all(m.mtime == 0 and m.uid == 0 for m in archive.getmembers())
    assert names == ["a/.wh..wh..opq", "a/new", "etc/.wh.motd"]
    again = ImageLayer.from_tar(layer.to_tar())
    assert again == layer
    assert again.whiteout_paths() == {"/etc/motd"} and again.opaque_dirs() == {"/a"}


def test_a_layer_cannot_be_changed():
    layer = ImageLayer(FILES)
    assert not hasattr(layer, "write")
    with pytest.raises(TypeError):
        layer._files["/etc/motd"] = b"x"


def _tar(*members):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def test_from_tar_refuses_links_and_escapes():
    link = tarfile.TarInfo("etc/passwd")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/shadow"
    with pytest.raises(LayerFormatError, match="symbolic link"):
        ImageLayer.from_tar(_tar((link, None)))
    evil = tarfile.TarInfo("../../evil")
    evil.size = 1
    with pytest.raises(PathEscapeError, match="climbs above the root"):
        ImageLayer.from_tar(_tar((evil, b"x")))
    with pytest.raises(LayerFormatError, match="not a tar archive"):
        ImageLayer.from_tar(b"not a tar at all" * 64)


def test_reserved_names_and_contradictions_are_refused():
    with pytest.raises(ReservedNameError, match="reserved"):
        ImageLayer({"/a/.wh.b": b""})
    with pytest.raises(LayerFormatError, match="opaque"):
        ImageLayer({"/a/b": b""}, whiteouts=["/a"])
