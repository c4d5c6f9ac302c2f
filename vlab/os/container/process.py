"""What PID 1 of a container runs: argv, environment, directory, user, hostname.

The image's config (OCI image-spec ``config.md``: ``Entrypoint``, ``Cmd``, ``Env``,
``WorkingDir``, ``User``) and the options of ``run`` combine by docker's rules
(Dockerfile reference, "Understand how CMD and ENTRYPOINT interact"; docker-run(1)):

==============  ===========================================================================
argv            ``Entrypoint`` + (the CMD given after IMAGE, else the image's ``Cmd``)
environment     ``PATH`` default, then the image's ``Env``, then ``-e`` (later names win)
directory       ``--workdir``, else ``WorkingDir``, else ``/``
user            ``--user``, else ``User``, else ``0:0`` (numeric ``UID[:GID]``)
hostname        ``--hostname``, else the first 12 hex digits of the container id
==============  ===========================================================================

``argv[0]`` without a ``/`` is looked up in the container's ``PATH`` inside its root file
system (as runc does before ``execve``); not found is docker's exit 127.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import EXIT_NOT_FOUND, ContainerError
from .spec import RunSpec

#: The PATH docker sets when an image sets none (``oci.DefaultEnv`` in moby).
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class CommandNotFound(ContainerError):
    """argv[0] is not an executable of the container's root (docker exit 127)."""

    exit_code = EXIT_NOT_FOUND


@dataclass
class ProcessConfig:
    argv: list[str]
    env: list[str] = field(default_factory=list)
    workdir: str = "/"
    uid: int = 0
    gid: int = 0
    hostname: str = "vlab"

    @property
    def user(self) -> str:
        return f"{self.uid}:{self.gid}"


def merge_env(*lists) -> list[str]:
    """``K=V`` lists merged in order: a later K replaces an earlier one in place."""
    merged: dict[str, str] = {}
    for items in lists:
        for item in items or ():
            name, _, value = item.partition("=")
            merged[name] = value
    return [f"{k}={v}" for k, v in merged.items()]


def _as_list(value, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):              # shell form stored as one string
        return ["/bin/sh", "-c", value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ContainerError(f"the image config's {what} is not a list of strings: {value!r}")
    return list(value)


def parse_user(text: str) -> tuple[int, int]:
    uid, _, gid = str(text or "0").partition(":")
    if not uid.isdigit() or (gid and not gid.isdigit()):
        raise ContainerError(f"user {text!r} is not numeric UID[:GID]: this runtime has no "
                             "/etc/passwd lookup; give e.g. --user 1000:1000")
    return int(uid), int(gid) if gid else 0     # no group given: 0, as docker without
                                                # an /etc/passwd entry


def image_fields(image_config) -> dict:
    """The config's run fields by their OCI names, from a dict or an ImageConfig
    (``vlab.os.image.config``: ``env``, ``entrypoint``, ``cmd``, ``working_dir``, ``user``)."""
    if image_config is None:
        return {}
    if isinstance(image_config, dict):
        return dict(image_config)
    return {"Env": list(image_config.env or []), "Entrypoint": image_config.entrypoint,
            "Cmd": image_config.cmd, "WorkingDir": image_config.working_dir or "",
            "User": image_config.user or ""}


def process_config(spec: RunSpec, image_config: dict | None, container_id: str,
                   command: list[str] | None = None) -> ProcessConfig:
    """The table of the module docstring.  ``command`` (``exec``) replaces the whole argv."""
    config = image_fields(image_config)
    entrypoint = _as_list(config.get("Entrypoint"), "Entrypoint")
    cmd = list(spec.command) if spec.command else _as_list(config.get("Cmd"), "Cmd")
    argv = list(command) if command else entrypoint + cmd
    if not argv:
        raise ContainerError(f"no command: the image {spec.image!r} has no ENTRYPOINT or "
                             "CMD; give one after the image name, e.g. vlab container run "
                             f"{spec.image} sh -c 'echo hi'")
    env = merge_env([f"PATH={DEFAULT_PATH}"], config.get("Env"), spec.env)
    workdir = spec.workdir or config.get("WorkingDir") or "/"
    uid, gid = parse_user(spec.user or config.get("User") or "0:0")
    return ProcessConfig(argv, env, workdir, uid, gid, spec.hostname or container_id[:12])


def resolve_argv0(argv0: str, env: list[str], is_file) -> str:
    """An absolute program path: ``argv0`` if it has a ``/``, else the first ``PATH``
    entry holding it (``is_file(path) -> bool`` asks the container's root)."""
    if "/" in argv0:
        if not is_file(argv0 if argv0.startswith("/") else "/" + argv0):
            raise CommandNotFound(f"{argv0}: no such file or directory in the container")
        return argv0
    path = dict(e.partition("=")[::2] for e in env).get("PATH", DEFAULT_PATH)
    for directory in path.split(":"):
        candidate = (directory.rstrip("/") or "") + "/" + argv0
        if directory.startswith("/") and is_file(candidate):
            return candidate
    raise CommandNotFound(f"exec: {argv0!r}: executable file not found in $PATH ({path})")
