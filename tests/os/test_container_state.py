"""The container state directory: records, atomic writes, ids and names, option checks."""

from __future__ import annotations

import json
import os

import pytest

from vlab.os.container.containers import Containers
from vlab.os.container.errors import ContainerError, NoSuchContainer, StateError
from vlab.os.container.spec import (
    Mount,
    RunSpec,
    parse_cpus,
    parse_env,
    parse_hostname,
    parse_memory,
    parse_name,
    parse_network,
    parse_pids_limit,
    parse_user,
    parse_volume,
)
from vlab.os.container.statedir import ENV_VAR, StateDir, default_state_dir


@pytest.fixture
def store(tmp_path):
    return Containers(StateDir(tmp_path / "state"))


def test_default_directory_follows_xdg_and_the_override(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_state_dir() == tmp_path / "vlab" / "containers"
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "elsewhere"))
    assert default_state_dir() == tmp_path / "elsewhere"


def test_a_second_opening_sees_the_same_containers(tmp_path):
    first = Containers(StateDir(tmp_path))
    record = first.create(RunSpec("vlab/base", ["echo", "hi"], name="web"))
    again = Containers(StateDir(tmp_path))
    assert [r.id for r in again.list()] == [record.id]
    assert again.get("web").spec.command == ["echo", "hi"]


def test_ids_are_deterministic_and_found_by_prefix_or_name(tmp_path):
    ids = []
    for run in range(2):
        store = Containers(StateDir(tmp_path / str(run)))
        ids.append([store.create(RunSpec("img")).id for _ in range(3)])
    assert ids[0] == ids[1] and len(set(ids[0])) == 3
    store = Containers(StateDir(tmp_path / "0"))
    assert store.get(ids[0][1][:12]).name == "vlab_2"
    assert store.get("vlab_3").id == ids[0][2]
    with pytest.raises(NoSuchContainer, match="no such container: nope"):
        store.get("nope")


def test_a_name_is_used_once(store):
    store.create(RunSpec("img", name="db"))
    with pytest.raises(ContainerError, match="already in use"):
        store.create(RunSpec("img", name="db"))
    assert len(store.list()) == 1


def test_upper_layer_round_trips_with_whiteouts(store):
    record = store.create(RunSpec("img"))
    upper = store.load_upper(record)
    assert upper.files == {}
    upper.write("/etc/motd", b"hello")
    upper.remove("/bin/ls", whiteout=True)
    store.save_upper(record, upper)
    again = store.load_upper(store.get(record.id))
    assert again.files == {"/etc/motd": b"hello"}
    assert again.whiteouts == {"/bin/ls"}


def test_logs_append_and_are_capped(store):
    record = store.create(RunSpec("img"))
    store.append_logs(record, b"one\n", b"")
    store.append_logs(record, b"two\n", b"oops\n")
    assert store.logs(record) == (b"one\ntwo\n", b"oops\n")


def test_a_crashed_creation_leaves_nothing(store, monkeypatch):
    import vlab.os.container.containers as module

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(module, "atomic_write", crash)
    with pytest.raises(OSError):
        store.create(RunSpec("img"))
    assert store.list() == []
    assert [p.name for p in store.state.containers.iterdir()] == []


def test_leftovers_of_a_killed_command_are_removed(tmp_path):
    state = StateDir(tmp_path)
    (state.containers / ".new-deadbeef").mkdir()
    StateDir(tmp_path)
    assert not (state.containers / ".new-deadbeef").exists()


def test_remove_and_a_corrupt_record(store):
    record = store.create(RunSpec("img"))
    store.remove(record)
    assert store.list() == []
    other = store.create(RunSpec("img"))
    (store.state.containers / other.id / "config.json").write_text("{not json")
    with pytest.raises(StateError, match="unreadable"):
        store.list()


def test_inspect_has_docker_fields(store):
    spec = RunSpec("img", ["sh"], memory=64 << 20, cpus=0.5, pids_limit=20,
                   mounts=[Mount("/tmp", "/data", True)])
    data = store.create(spec).inspect()
    json.dumps(data)
    assert data["HostConfig"]["Memory"] == 64 << 20
    assert data["HostConfig"]["NanoCpus"] == 500_000_000
    assert data["HostConfig"]["Binds"] == ["/tmp:/data:ro"]
    assert data["State"]["Status"] == "created"


# ------------------------------------------------------------ options

def test_limits_map_to_cgroup_files():
    spec = RunSpec("img", memory=parse_memory("64m"), cpus=parse_cpus("0.25"),
                   pids_limit=parse_pids_limit("20"))
    assert spec.cgroup_limits() == {"memory.max": str(64 << 20), "cpu.max": "25000 100000",
                                    "pids.max": "20"}
    assert RunSpec("img").cgroup_limits() == {}
    assert parse_pids_limit("-1") is None


@pytest.mark.parametrize("parser, text, words", [
    (parse_memory, "lots", "give bytes"),
    (parse_memory, "0", "positive"),
    (parse_cpus, "2", "from 0.01 to 1.00"),
    (parse_cpus, "x", "a number"),
    (parse_pids_limit, "-5", "positive"),
    (parse_hostname, "bad_name!", "letters, digits"),
    (parse_hostname, "a" * 65, "at most 64"),
    (parse_network, "bridge", "sockets are not part"),
    (parse_user, "root", "numeric"),
    (parse_name, "-x", "allowed"),
    (parse_volume, "/no/such/dir:/data", "does not exist"),
    (parse_volume, "justone", "HOSTDIR:CTRDIR"),
])
def test_bad_options_say_what_and_how(parser, text, words):
    with pytest.raises(ContainerError, match=words):
        parser(text)


def test_env_and_volumes(tmp_path):
    assert parse_env(["A=1", "B", "C"], {"B": "2"}) == ["A=1", "B=2"]
    with pytest.raises(ContainerError):
        parse_env(["=x"])
    mount = parse_volume(f"{tmp_path}:/data:ro")
    assert mount == Mount(os.path.realpath(tmp_path), "/data", True)
    with pytest.raises(ContainerError, match="relative|absolute"):
        parse_volume(f"{tmp_path}:data")
    with pytest.raises(ContainerError, match="below /"):
        parse_volume(f"{tmp_path}:/")
