"""What PID 1 of a container runs: docker's ENTRYPOINT/CMD/Env/WorkingDir/User rules."""

from __future__ import annotations

import pytest

from vlab.os.container.errors import ContainerError
from vlab.os.container.process import (
    DEFAULT_PATH,
    CommandNotFound,
    merge_env,
    process_config,
    resolve_argv0,
)
from vlab.os.container.spec import RunSpec

IMAGE = {"Entrypoint": ["/bin/sh", "-c"], "Cmd": ["echo hi"], "Env": ["A=1", "PATH=/bin"],
         "WorkingDir": "/srv", "User": "1000:100"}


def test_cmd_after_image_replaces_cmd_not_entrypoint():
    assert process_config(RunSpec("i"), IMAGE, "f" * 64).argv == ["/bin/sh", "-c", "echo hi"]
    config = process_config(RunSpec("i", ["ls /"]), IMAGE, "f" * 64)
    assert config.argv == ["/bin/sh", "-c", "ls /"]


def test_exec_replaces_the_whole_argv():
    assert process_config(RunSpec("i"), IMAGE, "f" * 64, command=["id"]).argv == ["id"]


def test_env_image_then_options_later_wins():
    config = process_config(RunSpec("i", env=["A=2", "B=3"]), IMAGE, "f" * 64)
    assert config.env == ["PATH=/bin", "A=2", "B=3"]
    assert merge_env(["X=1", "Y=2"], ["X=3"]) == ["X=3", "Y=2"]
    assert process_config(RunSpec("i", ["x"]), {}, "f" * 64).env == [f"PATH={DEFAULT_PATH}"]


def test_workdir_user_hostname_defaults_and_overrides():
    config = process_config(RunSpec("i"), IMAGE, "abcdef0123456789" + "0" * 48)
    assert (config.workdir, config.uid, config.gid, config.hostname) == \
        ("/srv", 1000, 100, "abcdef012345")
    config = process_config(RunSpec("i", ["x"], workdir="/tmp", user="7", hostname="box"),
                            {}, "0" * 64)
    assert (config.workdir, config.user, config.hostname) == ("/tmp", "7:0", "box")


def test_an_image_without_a_command_is_a_clear_error():
    with pytest.raises(ContainerError, match="no ENTRYPOINT or CMD"):
        process_config(RunSpec("scratchy"), {}, "0" * 64)


def test_path_lookup_in_the_container_root():
    files = {"/bin/sh", "/usr/bin/env"}
    env = ["PATH=/usr/local/bin:/usr/bin:/bin"]
    assert resolve_argv0("env", env, files.__contains__) == "/usr/bin/env"
    assert resolve_argv0("/bin/sh", env, files.__contains__) == "/bin/sh"
    with pytest.raises(CommandNotFound, match="not found in \\$PATH") as error:
        resolve_argv0("python", env, files.__contains__)
    assert error.value.exit_code == 127
    with pytest.raises(CommandNotFound):
        resolve_argv0("/bin/bash", env, files.__contains__)
