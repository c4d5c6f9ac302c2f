"""The build cache key: a step is reused only if everything it depends on is the same.

A build step's result depends on what it starts from and what it does (the idea of
docker's build cache, made content-addressed as in BuildKit):

* the parent's file system: the **ChainID** of the layers so far (``config.md``), so
  two bases with the same content share cache entries and any change below misses;
* the parent's run settings (``Env``, ``WorkingDir``, ``User``): they are not layers but
  change what a RUN does;
* the instruction itself: keyword, form and arguments (not its spacing or line);
* for COPY, the **content digest** of the copied files (the layer they make), so
  editing a source file misses the cache even though the line did not change.

The key is ``sha256`` of the canonical JSON of these parts.
"""

from __future__ import annotations

from vlab.os.image import jsondoc
from vlab.os.image.config import ImageConfig
from vlab.os.image.containerfile import Instruction
from vlab.os.image.digest import sha256_digest
from vlab.os.image.errors import ImageError


def cache_key(parent_chain_id: str | None, instruction: Instruction, *,
              content_digest: str | None = None, config: ImageConfig | None = None) -> str:
    """The cache key of ``instruction`` run on top of ``parent_chain_id`` (None: scratch)."""
    if instruction.keyword == "COPY" and not content_digest:
        raise ImageError(f"{instruction.where}: a COPY cache key needs the content digest of "
                         "its sources (copy_layer(...).digest())")
    config = config or ImageConfig()
    record = {
        "parent": parent_chain_id or "",
        "settings": {"Env": config.env, "WorkingDir": config.working_dir,
                     "User": config.user},
        "instruction": [instruction.keyword, instruction.form, list(instruction.args)],
        "content": content_digest or "",
    }
    return sha256_digest(jsondoc.dumps(record))
