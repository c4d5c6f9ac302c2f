"""Image names: ``repository[:tag]``, checked against the OCI ref-name grammar.

``annotations.md`` (image-spec v1.1) gives the grammar of
``org.opencontainers.image.ref.name``::

    ref       ::= component ("/" component)*
    component ::= alphanum (separator alphanum)*
    alphanum  ::= [A-Za-z0-9]+
    separator ::= [-._:@+] | "--"

A name without a tag gets ``:latest``, as docker does (``hello`` is ``hello:latest``).
"""

from __future__ import annotations

import re

from vlab.os.image.errors import ImageError

_ALNUM = r"[A-Za-z0-9]+"
_COMPONENT = rf"{_ALNUM}(?:(?:[-._:@+]|--){_ALNUM})*"
REF = re.compile(rf"^{_COMPONENT}(?:/{_COMPONENT})*$")
MAX_NAME = 255
DEFAULT_TAG = "latest"


def normalize_name(name: object) -> str:
    """``name`` with a tag (``:latest`` if it had none), or an :class:`ImageError` saying why."""
    if not isinstance(name, str) or not name or len(name) > MAX_NAME or not REF.match(name):
        raise ImageError(f"bad image name {name!r}: use letters, digits and '-._' in "
                         "components separated by '/', then an optional ':TAG' "
                         "(e.g. 'hello', 'vlab/shell:1.0')")
    last = name.rsplit("/", 1)[-1]
    return name if ":" in last else f"{name}:{DEFAULT_TAG}"
