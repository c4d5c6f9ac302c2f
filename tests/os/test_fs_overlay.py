"""The overlay: whiteouts, opaque directories, copy-up and N lower layers (OCI semantics)."""

import pytest

from vlab.os.fs.errors import (
    FileNotFound,
    IsADirectory,
    NotADirectory,
    PathEscapeError,
    QuotaExceeded,
    ReservedNameError,
)
from vlab.os.fs.image_layer import ImageLayer
from vlab.os.fs.overlay import Overlay
from vlab.os.fs.writable_layer import WritableLayer

BASE = ImageLayer({"/etc/motd": b"base motd\n", "/etc/hosts": b"127.0.0.1\n",
                   "/usr/lib/a.so": b"a", "/usr/lib/b.so": b"b"}, name="base")
MIDDLE = ImageLayer({"/etc/motd": b"middle motd\n", "/usr/lib/c.so": b"c"},
                    whiteouts=["/etc/hosts"], name="middle")
TOP = ImageLayer({"/usr/lib/d.so": b"d"}, opaque_dirs=["/usr/lib"], name="top")


def overlay(*lowers, **options):
    return Overlay(WritableLayer(), lowers or (MIDDLE, BASE), **options)


def test_the_topmost_layer_answers():
    fs = overlay()
    assert fs.read("/etc/motd") == b"middle motd\n" and fs.layer_of("/etc/motd") == "middle"
    assert fs.layer_of("/usr/lib/a.so") == "base"


def test_a_lower_whiteout_hides_the_file_below_it():
    fs = overlay()
    assert not fs.is_file("/etc/hosts")
    with pytest.raises(FileNotFound):
        fs.read("/etc/hosts")
    assert fs.listdir("/etc") == ["motd"]


def test_an_opaque_directory_hides_every_lower_entry_but_keeps_its_own():
    fs = overlay(TOP, MIDDLE, BASE)
    assert fs.listdir("/usr/lib") == ["d.so"]
    assert fs.read("/etc/motd") == b"middle motd\n"   # outside the opaque directory


def test_n_lower_layers_in_order():
    layers = [ImageLayer({"/f": bytes([n]), f"/only{n}": b""}, name=f"l{n}") for n in range(5)]
    fs = Overlay(WritableLayer(), layers)
    assert fs.read("/f") == b"\x00" and fs.layer_of("/only4") == "l4"
    assert fs.visible_files() == ["/f"] + [f"/only{n}" for n in range(5)]


def test_append_copies_up_once_and_leaves_the_lower_layer_alone():
    fs = overlay()
    fs.append("/usr/lib/a.so", b"+")
    fs.append("/usr/lib/a.so", b"+")
    assert fs.read("/usr/lib/a.so") == b"a++" and fs.layer_of("/usr/lib/a.so") == "upper"
    assert fs.upper.copy_ups == 1
    assert BASE.read("/usr/lib/a.so") == b"a"


def test_delete_of_a_lower_file_leaves_a_whiteout_and_write_removes_it():
    fs = overlay()
    fs.delete("/etc/motd")
    assert fs.upper.changes() == [("/etc/motd", "deleted")]
    assert not fs.exists("/etc/motd")
    fs.write("/etc/motd", b"mine")
    assert fs.read("/etc/motd") == b"mine" and fs.upper.whiteouts == set()


def test_delete_of_an_upper_only_file_leaves_no_whiteout():
    fs = overlay()
    fs.write("/tmp/x", b"x")
    fs.delete("/tmp/x")
    assert fs.upper.changes() == []


def test_remove_tree_whites_out_a_directory_and_a_new_file_makes_it_opaque():
    fs = overlay()
    fs.write("/usr/lib/mine.so", b"m")
    fs.remove_tree("/usr/lib")
    assert fs.upper.changes() == [("/usr/lib", "deleted")]
    assert not fs.exists("/usr/lib/a.so") and not fs.is_dir("/usr/lib")
    fs.write("/usr/lib/new.so", b"n")
    assert fs.upper.changes() == [("/usr/lib", "opaque"), ("/usr/lib/new.so", "written")]
    assert fs.listdir("/usr/lib") == ["new.so"]


def test_commit_freezes_the_upper_layer_into_a_layer_that_stacks():
    fs = overlay()
    fs.delete("/etc/motd")
    fs.write("/srv/app", b"app")
    layer = fs.upper.commit("app")
    again = Overlay(WritableLayer(), [layer, MIDDLE, BASE])
    assert again.visible_files() == fs.visible_files()
    twin = overlay()
    twin.write("/srv/app", b"app")
    twin.delete("/etc/motd")
    assert twin.upper.commit().digest() == layer.digest()   # same changes, same name
    assert overlay().upper.commit().digest() != layer.digest()


def test_errors_name_the_problem():
    fs = overlay()
    with pytest.raises(IsADirectory):
        fs.write("/usr/lib", b"x")
    with pytest.raises(NotADirectory):
        fs.write("/etc/motd/x", b"x")
    with pytest.raises(NotADirectory):
        fs.listdir("/etc/motd")
    with pytest.raises(FileNotFound):
        fs.delete("/nope")
    with pytest.raises(ReservedNameError):
        fs.write("/tmp/.wh.motd", b"")


@pytest.mark.parametrize("path", ["../../etc/passwd", "/../x", "/etc/motd\0", "C:/x"])
def test_escapes_change_nothing(path):
    fs = overlay()
    for operation in (fs.read, fs.delete, lambda p: fs.write(p, b"x")):
        with pytest.raises(PathEscapeError):
            operation(path)
    assert fs.upper.changes() == []


def test_quota_counts_content_and_entries():
    fs = overlay(quota_bytes=600)
    fs.write("/a", b"x" * 100)
    with pytest.raises(QuotaExceeded, match="past its quota of 600"):
        fs.write("/b", b"x" * 100)
    assert fs.upper.usage_bytes() == 100 + 256 + 2
