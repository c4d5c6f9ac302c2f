"""OCI image layout and store: digests as the spec computes them, verified reads, sharing."""

import gzip
import hashlib
import io
import json
import os
import tarfile
from pathlib import Path

import pytest

from vlab.os.fs import ImageLayer, Overlay, WritableLayer
from vlab.os.image import (
    DigestMismatch,
    ImageConfig,
    ImageError,
    ImageNotFound,
    ImageStore,
    LayoutError,
    UnsafeMember,
    chain_id,
    chain_ids,
    mediatypes,
    read_layout,
)

BASE = {"/bin/sh": b"\x7fELF shell", "/etc/motd": b"hello\n", "/etc/hosts": b"127.0.0.1\n"}
APP = {"/app/run": b"\x7fELF app"}


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture
def store(tmp_path):
    return ImageStore(tmp_path / "store")


def build(store, name="hello", compress=False, extra=None):
    base = store.add_layer(ImageLayer(BASE))
    app = store.add_layer(ImageLayer(extra or APP, whiteouts=["/etc/motd"]), compress=compress)
    return store.add_image(name, [base, app],
                           ImageConfig(env=["PATH=/bin"], cmd=["/app/run"], working_dir="/app"))


def blob_file(root: Path, digest: str) -> Path:
    return root / "blobs" / "sha256" / digest.split(":")[1]


# ------------------------------------------------------------ the documents

def test_layout_files_follow_image_layout_md(store, tmp_path):
    build(store)
    store.export("hello", tmp_path / "out")
    out = tmp_path / "out"
    assert json.loads((out / "oci-layout").read_text()) == {"imageLayoutVersion": "1.0.0"}
    index = json.loads((out / "index.json").read_text())
    assert index["schemaVersion"] == 2 and index["mediaType"] == mediatypes.INDEX
    (entry,) = index["manifests"]
    assert entry["mediaType"] == mediatypes.MANIFEST
    assert entry["annotations"] == {"org.opencontainers.image.ref.name": "hello:latest"}
    manifest_bytes = blob_file(out, entry["digest"]).read_bytes()
    assert sha(manifest_bytes) == entry["digest"] and len(manifest_bytes) == entry["size"]
    manifest = json.loads(manifest_bytes)
    assert manifest["schemaVersion"] == 2 and manifest["config"]["mediaType"] == mediatypes.CONFIG
    config = json.loads(blob_file(out, manifest["config"]["digest"]).read_bytes())
    assert config["architecture"] == "riscv" and config["os"] == "linux"
    assert config["config"] == {"Env": ["PATH=/bin"], "Cmd": ["/app/run"], "WorkingDir": "/app"}
    assert config["rootfs"]["type"] == "layers"
    # every file under blobs/ is named by its own sha256
    for path in (out / "blobs" / "sha256").iterdir():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name


def test_diff_ids_are_the_sha256_of_the_uncompressed_tar_checked_with_tarfile(store, tmp_path):
    build(store, compress=True)
    store.export("hello", tmp_path / "out")
    out = tmp_path / "out"
    (entry,) = json.loads((out / "index.json").read_text())["manifests"]
    manifest = json.loads(blob_file(out, entry["digest"]).read_bytes())
    config = json.loads(blob_file(out, manifest["config"]["digest"]).read_bytes())
    media = [layer["mediaType"] for layer in manifest["layers"]]
    assert media == [mediatypes.LAYER_TAR, mediatypes.LAYER_GZIP]
    for layer, diff_id in zip(manifest["layers"], config["rootfs"]["diff_ids"], strict=True):
        blob = blob_file(out, layer["digest"]).read_bytes()
        tar = gzip.decompress(blob) if layer["mediaType"].endswith("+gzip") else blob
        assert sha(tar) == diff_id
        names = tarfile.open(fileobj=io.BytesIO(tar)).getnames()   # a tar any tool reads
        assert names == sorted(names)
    gz = manifest["layers"][1]
    assert gz["digest"] != config["rootfs"]["diff_ids"][1]   # digest != DiffID for gzip


def test_chain_id_follows_the_formula_of_config_md():
    d0 = "sha256:c6f988f4874bb0add23a778f753c65efe992244e148a1d2ec2a8b664fb66bbd1"
    d1 = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"
    d2 = sha(b"third")
    c1 = "sha256:" + hashlib.sha256(f"{d0} {d1}".encode()).hexdigest()
    c2 = "sha256:" + hashlib.sha256(f"{c1} {d2}".encode()).hexdigest()
    assert chain_ids([d0, d1, d2]) == [d0, c1, c2]
    assert chain_id([d0]) == d0 and chain_id([]) is None


def test_same_content_gives_the_same_digests(tmp_path):
    one = build(ImageStore(tmp_path / "a"), compress=True)
    two = build(ImageStore(tmp_path / "b"), compress=True)
    assert one.digest == two.digest and one.id == two.id and one.chain_id == two.chain_id


# ------------------------------------------------------------ round trip, sharing

def test_save_load_round_trip(store, tmp_path):
    record = build(store, compress=True)
    store.export("hello", tmp_path / "out")
    other = ImageStore(tmp_path / "other")
    assert other.import_layout(tmp_path / "out") == ["hello:latest"]
    again = other.image("hello")
    assert (again.digest, again.id, again.config) == (record.digest, record.id, record.config)
    files = Overlay(WritableLayer(), other.rootfs_layers("hello")).visible_files()
    assert files == ["/app/run", "/bin/sh", "/etc/hosts"]     # /etc/motd whited out
    assert read_layout(tmp_path / "out")[0].name == "hello:latest"


def test_load_with_a_name_for_an_unnamed_entry(store, tmp_path):
    build(store)
    store.export("hello", tmp_path / "out")
    index = json.loads((tmp_path / "out" / "index.json").read_text())
    del index["manifests"][0]["annotations"]
    (tmp_path / "out" / "index.json").write_text(json.dumps(index))
    other = ImageStore(tmp_path / "o")
    with pytest.raises(LayoutError, match="ref.name"):
        other.import_layout(tmp_path / "out")
    assert other.import_layout(tmp_path / "out", name="renamed:1") == ["renamed:1"]


def test_two_images_share_one_blob_file_and_rmi_keeps_it(store):
    first = build(store, "first")
    second = build(store, "second", extra={"/app/other": b"other"})
    base = first.layers[0].digest
    assert second.layers[0].digest == base
    blobs = os.listdir(store.root / "blobs" / "sha256")
    assert blobs.count(base.split(":")[1]) == 1
    deleted = store.remove("first")
    assert base not in deleted and first.layers[1].digest in deleted
    assert blob_file(store.root, base).exists()
    assert store.rootfs_layers("second")[-1].paths() == sorted(BASE)
    store.remove("second")
    assert os.listdir(store.root / "blobs" / "sha256") == []


def test_containers_of_images_sharing_a_layer_share_one_layer_object(store):
    build(store, "first")
    build(store, "second", extra={"/app/other": b"other"})
    assert store.rootfs_layers("first")[-1] is store.rootfs_layers("second")[-1]


def test_commit_layer_records_writes_and_deletions(store):
    build(store)
    overlay = Overlay(WritableLayer(), store.rootfs_layers("hello"))
    overlay.write("/etc/new", b"new")
    overlay.delete("/etc/hosts")
    ref = store.commit_layer(overlay.upper)
    base = store.image("hello")
    store.add_image("hello:committed", [*base.layers, ref], base.config)
    tar = blob_file(store.root, ref.digest).read_bytes()
    assert sha(tar) == ref.diff_id
    assert sorted(tarfile.open(fileobj=io.BytesIO(tar)).getnames()) == ["etc/.wh.hosts",
                                                                       "etc/new"]
    files = Overlay(WritableLayer(), store.rootfs_layers("hello:committed")).visible_files()
    assert files == ["/app/run", "/bin/sh", "/etc/new"]


def test_list_tag_and_unknown_name(store):
    build(store)
    store.tag("hello", "hello:v2")
    assert [r.name for r in store.list()] == ["hello:latest", "hello:v2"]
    with pytest.raises(ImageNotFound, match="did you mean 'hello:latest'"):
        store.image("helo")
    with pytest.raises(ImageError, match="bad image name"):
        store.image("../etc")


def test_build_cache_entries_keep_their_blobs(store):
    ref = store.add_layer(ImageLayer({"/cached": b"c"}))
    store.cache_put("sha256:" + "1" * 64, ref)
    build(store)
    store.remove("hello")
    assert store.cache_get("sha256:" + "1" * 64) == ref
    store.prune_cache()
    assert store.cache_get("sha256:" + "1" * 64) is None


# ------------------------------------------------------------ verified reads

@pytest.fixture
def saved(store, tmp_path):
    record = build(store, compress=True)
    store.export("hello", tmp_path / "out")
    return tmp_path / "out", record


def assert_nothing_loaded(tmp_path, source, match, error=ImageError):
    target = ImageStore(tmp_path / "target")
    with pytest.raises(error, match=match):
        target.import_layout(source)
    assert target.names() == [] and os.listdir(target.root / "blobs" / "sha256") == []


def test_corrupted_layer_blob_is_refused_by_name(saved, tmp_path):
    out, record = saved
    path = blob_file(out, record.layers[0].digest)
    data = bytearray(path.read_bytes())
    data[600] ^= 1
    path.write_bytes(bytes(data))
    assert_nothing_loaded(tmp_path, out, rf"blob {record.layers[0].digest[:19]}\.\. \(layer 1 "
                          r"of image hello:latest\): digest mismatch: expected", DigestMismatch)


def test_corruption_in_the_store_is_found_on_read(store):
    record = build(store)
    path = blob_file(store.root, record.layers[1].digest)
    path.write_bytes(path.read_bytes()[:-1] + b"X")
    with pytest.raises(DigestMismatch, match="layer 2 of image hello:latest"):
        store.rootfs_layers("hello")


def test_truncated_blob_is_a_size_mismatch(saved, tmp_path):
    out, record = saved
    path = blob_file(out, record.manifest.config.digest)
    path.write_bytes(path.read_bytes()[:-5])
    assert_nothing_loaded(tmp_path, out, r"config of image hello:latest\): size mismatch",
                          DigestMismatch)


def test_wrong_size_in_descriptor(saved, tmp_path):
    out, _ = saved
    index = json.loads((out / "index.json").read_text())
    index["manifests"][0]["size"] += 1
    (out / "index.json").write_text(json.dumps(index))
    assert_nothing_loaded(tmp_path, out, "manifest of image hello:latest.*size mismatch")


def test_wrong_diff_id_is_refused(store, tmp_path):
    base = store.add_layer(ImageLayer(BASE))
    config = ImageConfig()
    config_bytes = config.to_bytes()
    record = store.add_image("x", [base], config)
    # rewrite the config with a false DiffID, re-point the manifest, export by hand
    bad = json.loads(blob_file(store.root, record.id).read_bytes())
    bad["rootfs"]["diff_ids"] = [sha(b"not this layer")]
    store.export("x", tmp_path / "out")
    out = tmp_path / "out"
    new_config = json.dumps(bad).encode()
    blob_file(out, sha(new_config)).write_bytes(new_config)
    manifest = json.loads(blob_file(out, record.digest).read_bytes())
    manifest["config"].update(digest=sha(new_config), size=len(new_config))
    manifest_bytes = json.dumps(manifest).encode()
    blob_file(out, sha(manifest_bytes)).write_bytes(manifest_bytes)
    index = json.loads((out / "index.json").read_text())
    index["manifests"][0].update(digest=sha(manifest_bytes), size=len(manifest_bytes))
    (out / "index.json").write_text(json.dumps(index))
    assert config_bytes
    assert_nothing_loaded(tmp_path, out, "DiffID mismatch", DigestMismatch)


@pytest.mark.parametrize("damage, match", [
    (lambda out: (out / "index.json").unlink(), "'index.json' is missing"),
    (lambda out: (out / "oci-layout").unlink(), "'oci-layout' is missing"),
    (lambda out: (out / "index.json").write_text("{not json"), "bad JSON at line 1"),
    (lambda out: (out / "index.json").write_text("[]"), "expected a JSON object"),
    (lambda out: (out / "oci-layout").write_text('{"imageLayoutVersion": "2.0.0"}'),
     "not 1.x"),
    (lambda out: (out / "index.json").write_text('{"schemaVersion": 1, "manifests": []}'),
     "schemaVersion"),
    (lambda out: (out / "index.json").write_text(
        '{"schemaVersion": 2, "manifests": [{"mediaType": "'
        + mediatypes.MANIFEST + '", "digest": "sha256:../../etc", "size": 1}]}'),
     "not a sha256 digest"),
    (lambda out: (out / "index.json").write_text(
        '{"schemaVersion": 2, "manifests": [{"mediaType": "'
        + mediatypes.MANIFEST + '", "digest": "sha256:' + "a" * 64 + '"}]}'),
     "REQUIRED field 'size'"),
    (lambda out: [p.unlink() for p in (out / "blobs" / "sha256").iterdir()], "is missing"),
])
def test_malformed_layouts_are_refused_and_nothing_is_loaded(saved, tmp_path, damage, match):
    out, _ = saved
    damage(out)
    assert_nothing_loaded(tmp_path, out, match)


def test_a_blob_that_is_a_symlink_is_refused(saved, tmp_path):
    out, record = saved
    path = blob_file(out, record.manifest.config.digest)
    path.unlink()
    os.symlink("/etc/passwd", path)
    assert_nothing_loaded(tmp_path, out, "not a regular file")


def test_not_a_directory(tmp_path):
    (tmp_path / "file").write_text("x")
    assert_nothing_loaded(tmp_path, tmp_path / "file", "not a directory")


def test_export_is_all_or_nothing(store, tmp_path):
    record = build(store)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep").write_text("mine")
    with pytest.raises(ImageError, match="not an empty directory"):
        store.export("hello", tmp_path / "full")
    assert os.listdir(tmp_path / "full") == ["keep"]
    blob_file(store.root, record.layers[0].digest).write_bytes(b"damaged")
    with pytest.raises(DigestMismatch):
        store.export("hello", tmp_path / "new")
    assert not (tmp_path / "new").exists()
    assert [p for p in os.listdir(tmp_path) if p.startswith(".new")] == []


def test_a_hostile_layer_in_a_layout_is_refused(saved, tmp_path):
    out, record = saved
    evil = io.BytesIO()
    with tarfile.open(fileobj=evil, mode="w") as archive:
        info = tarfile.TarInfo("../../escape")
        archive.addfile(info, io.BytesIO(b""))
    tar = evil.getvalue()
    config = json.loads(blob_file(out, record.id).read_bytes())
    config["rootfs"]["diff_ids"] = [sha(tar)]
    manifest = json.loads(blob_file(out, record.digest).read_bytes())
    config_bytes = json.dumps(config).encode()
    manifest["config"].update(digest=sha(config_bytes), size=len(config_bytes))
    manifest["layers"] = [{"mediaType": mediatypes.LAYER_TAR, "digest": sha(tar),
                           "size": len(tar)}]
    manifest_bytes = json.dumps(manifest).encode()
    for data in (tar, config_bytes, manifest_bytes):
        blob_file(out, sha(data)).write_bytes(data)
    index = json.loads((out / "index.json").read_text())
    index["manifests"][0].update(digest=sha(manifest_bytes), size=len(manifest_bytes))
    (out / "index.json").write_text(json.dumps(index))
    assert_nothing_loaded(tmp_path, out, r"member '\.\./\.\./escape' contains '\.\.'",
                          UnsafeMember)


def test_canonical_layer_tars_have_no_noise(store):
    ref = store.add_layer(ImageLayer(BASE))
    tar = blob_file(store.root, ref.digest).read_bytes()
    for member in tarfile.open(fileobj=io.BytesIO(tar)):
        assert (member.mtime, member.uid, member.gid, member.uname, member.gname) == (
            0, 0, 0, "", "")
        assert member.pax_headers == {} and member.isreg()


def test_store_path_that_is_a_file_or_unwritable(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ImageError, match="not a directory"):
        ImageStore(tmp_path / "f")
    with pytest.raises(ImageError, match="cannot create the image store"):
        ImageStore(tmp_path / "f" / "below")


def test_two_entries_with_one_name_are_refused(saved, tmp_path):
    out, _ = saved
    index = json.loads((out / "index.json").read_text())
    index["manifests"].append(index["manifests"][0])
    (out / "index.json").write_text(json.dumps(index))
    assert_nothing_loaded(tmp_path, out, "names two images 'hello:latest'")


def test_removal_skips_writes_in_flight(store):
    build(store)
    (store.root / "blobs" / "sha256" / ".tmp-inflight").write_bytes(b"partial")
    store.remove("hello")
    assert os.listdir(store.root / "blobs" / "sha256") == [".tmp-inflight"]


def test_a_huge_blob_is_not_read(saved, tmp_path, monkeypatch):
    from vlab.os.image import layout
    out, _ = saved
    monkeypatch.setattr(layout, "MAX_BLOB", 100)
    assert_nothing_loaded(tmp_path, out, "above the blob size cap 100")
