"""The build executor: a Containerfile becomes an image, RUN steps run on our kernel.

``vlab container build -t NAME DIR`` parses ``DIR/Containerfile``
(:mod:`vlab.os.image.containerfile`) and executes it step by step, as ``docker build``
does with its classic builder:

=================  ========================================================================
step               what it does to the image being built
=================  ========================================================================
``FROM``           start from the image's layers and config (``scratch``: nothing;
                   ``vlab/base`` is built on first use)
``COPY``           a new layer with the files from the build context (never outside it)
``RUN``            a *build container*: the layers so far under an empty writable layer,
                   new namespaces and cgroup, ``--network none``; the command runs as its
                   PID 1 on the kernel; a non-zero exit fails the build; the writable
                   layer, whiteouts included, is committed as the new layer
``ENV``            ``Env`` of the config (later names replace earlier ones)
``WORKDIR``        ``WorkingDir``; ``USER`` ``User``; ``ENTRYPOINT``/``CMD`` their fields
=================  ========================================================================

**Layer cache.**  Before COPY or RUN, the step's cache key
(:func:`vlab.os.image.cachekey.cache_key`: the ChainID of the layers below, the run
settings, the instruction, for COPY the digest of the copied files) is looked up in the
store's build cache; a hit reuses the layer without running anything and prints
``---> CACHED`` (docker's word), so building the same file twice runs nothing the
second time.  ``--no-cache`` runs every step.

Nothing is named until the last step succeeded: a failing build leaves no image (only
layers the cache may reuse; ``rmi`` collects unreferenced blobs).
"""

from __future__ import annotations

import copy
import os
import sys

from vlab.os.fs import WritableLayer

from .errors import ContainerError
from .launch import DEFAULT_BUDGET, LaunchPlan
from .process import ProcessConfig, merge_env, parse_user, resolve_argv0

BUILD_HOSTNAME = "vlab-build"


class BuildError(ContainerError):
    """A build step failed: the message names the Containerfile line."""


def build(runtime, context, tag: str, *, file=None, no_cache: bool = False,
          budget: int = DEFAULT_BUDGET, out=None, build_args=None) -> str:
    """Build ``context`` (its Containerfile, or ``file``) into the image ``tag``;
    returns the image's normalized name.  Progress lines go to ``out``."""
    from vlab.os.image.buildcontext import copy_layer
    from vlab.os.image.cachekey import cache_key
    from vlab.os.image.config import ImageConfig
    from vlab.os.image.containerfile import parse
    from vlab.os.image.digest import chain_id

    from .images import normalize

    out = out or sys.stdout
    tag = normalize(tag)
    if not os.path.isdir(context):
        raise BuildError(f"build context {context!r} is not a directory")
    plan = parse(file if file else context, build_args)
    images, store = runtime.images, runtime.images.store
    if plan.base == "scratch":
        layers, config = [], ImageConfig()
    else:
        base = images.record(plan.base)
        layers, config = list(base.layers), copy.deepcopy(base.config)
    config.history = list(config.history)
    steps = plan.steps
    total = len(steps) + 1
    print(f"STEP 1/{total}: FROM {plan.base}", file=out)
    for number, step in enumerate(steps, 2):
        print(f"STEP {number}/{total}: {step.text}", file=out)
        parent = chain_id([ref.diff_id for ref in layers])
        keyword = step.keyword
        if keyword in ("COPY", "RUN"):
            workdir = config.working_dir or "/"
            layer = copy_layer(context, step, workdir) if keyword == "COPY" else None
            key = cache_key(parent, step, config=config,
                            content_digest=layer.digest() if layer is not None else None)
            ref = None if no_cache else store.cache_get(key)
            if ref is not None:
                print(" ---> CACHED", file=out)
            else:
                if layer is None:
                    layer = _run_step(runtime, step, layers, config, budget, out)
                ref = store.add_layer(layer)
                store.cache_put(key, ref)
            print(f" ---> {ref.diff_id[7:19]}", file=out)
            layers.append(ref)
            config.history.append({"created_by": step.text})
            continue
        _apply_setting(config, step)
        config.history.append({"created_by": step.text, "empty_layer": True})
    config.diff_ids = []
    record = store.add_image(tag, layers, config)
    print(f"COMMIT {tag}", file=out)
    print(f" ---> {record.id[7:19]}", file=out)
    return tag


def _apply_setting(config, step) -> None:
    """ENV, WORKDIR, USER, ENTRYPOINT, CMD, ARG: the config changes, no layer."""
    keyword = step.keyword
    if keyword == "ENV":
        config.env = merge_env(config.env, [f"{k}={v}" for k, v in step.pairs])
    elif keyword == "WORKDIR":
        config.working_dir = step.args[0]
    elif keyword == "USER":
        config.user = step.args[0]
    elif keyword == "ENTRYPOINT":
        config.entrypoint = step.argv()
        config.cmd = None            # docker: ENTRYPOINT resets a CMD inherited from FROM
    elif keyword == "CMD":
        config.cmd = step.argv()
    elif keyword == "ARG":
        pass                         # the parser substituted it already
    else:
        raise BuildError(f"{step.where}: {keyword} is not a build step this executor knows")


def _run_step(runtime, step, layers, config, budget, out):
    """RUN: the command in a build container; its writable layer, frozen."""
    store = runtime.images.store
    lowers = [store.layer(ref, f"layer {i} of the build") for i, ref in
              enumerate(layers, 1)][::-1]
    upper = WritableLayer(name="build")
    env = merge_env([f"PATH={_default_path()}"], config.env)
    uid, gid = parse_user(config.user or "0")
    argv = step.argv()
    from .runtime import root_is_file
    is_file = root_is_file(lowers, upper)
    try:
        argv[0] = resolve_argv0(argv[0], env, is_file)
    except ContainerError as exc:
        raise BuildError(f"{step.where}: RUN cannot start: {exc}") from None
    process = ProcessConfig(argv, env, config.working_dir or "/", uid, gid, BUILD_HOSTNAME)
    stream = _Lines(out)
    plan = LaunchPlan("build", lowers, upper, process, [], {}, budget, None, stream, stream)
    outcome = runtime.launcher(plan)
    if outcome.exit_code != 0:
        why = {"budget": f" (its instruction budget of {budget} ran out: give a larger "
                         "--budget)", "oom": " (OOM-killed)"}.get(outcome.stopped_by, "")
        raise BuildError(f"{step.where}: the command {' '.join(step.argv())!r} returned a "
                         f"non-zero code: {outcome.exit_code}{why}")
    return upper.commit(name=f"RUN at {step.where}")


def _default_path() -> str:
    from .process import DEFAULT_PATH
    return DEFAULT_PATH


class _Lines:
    """The build container's stdout and stderr, shown in the build's output."""

    def __init__(self, out):
        self.out = out

    def write(self, data) -> int:
        self.out.write(bytes(data).decode("utf-8", "replace"))
        self.out.flush()
        return len(data)

    def flush(self) -> None:
        self.out.flush()
