"""The Containerfile (Dockerfile subset) parser: text in, a list of instruction records out.

The grammar follows Docker's "Dockerfile reference":
one instruction per logical line, ``KEYWORD arguments``; the keyword is case-insensitive;
a line ending in ``\\`` continues on the next; a line whose first non-blank character
is ``#`` is a comment; comments and blank lines inside a continuation are skipped.
The subset and how each argument is read:

==============  ===========================================================================
instruction     arguments (:attr:`Instruction.args`)
==============  ===========================================================================
``FROM``        ``scratch`` or an image name (one stage: ``AS`` and ``--platform`` refused)
``COPY``        ``src... dst`` (or the JSON form); ``sources`` and ``dest`` properties
``RUN``         shell form (``("echo hi",)``, run as ``/bin/sh -c``) or exec form
``CMD``         (a JSON array of strings): ``form`` says which, ``argv()`` gives the
``ENTRYPOINT``  argument vector either way
``ENV``         ``K=V ...`` (quotes as in a shell) or ``K V`` (the rest of the line):
                :attr:`Instruction.pairs`
``ARG``         ``NAME`` or ``NAME=default``: :attr:`Instruction.pairs` (default None)
``WORKDIR``     one path, made absolute against the previous WORKDIR
``USER``        ``user[:group]`` or ``uid[:gid]``
==============  ===========================================================================

Variables (``$V``, ``${V}``, ``${V:-word}``, ``${V:+word}``; ``\\$`` is a dollar) from
earlier ``ENV`` and ``ARG`` lines are replaced in FROM, COPY, ENV, WORKDIR and USER, as
the reference says; RUN is left to the shell.  Simplified: the substitution happens
before quotes are read, so a single-quoted ``'$V'`` is replaced too, and an exec form
that is not valid JSON is an error here (docker would silently run it as a shell
command, which hides the mistake); an ARG declared before FROM stays visible after it.

Every error is a :class:`~vlab.os.image.errors.ContainerfileError`: ``file:line:
reason`` and a hint (the nearest keyword for a misspelt one, the JSON rule for a bad
exec form, ``FROM`` missing).
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shlex
from dataclasses import dataclass, field

from vlab.os.fs.errors import FsError
from vlab.os.fs.paths import normalize
from vlab.os.image.errors import ContainerfileError, ImageError
from vlab.os.image.names import normalize_name

SUPPORTED = ("FROM", "COPY", "RUN", "ENV", "WORKDIR", "ENTRYPOINT", "CMD", "USER", "ARG")
#: Dockerfile instructions outside the subset, with what to do instead.
UNSUPPORTED = {
    "ADD": "use COPY (ADD's URL download and archive unpacking are not supported)",
    "LABEL": "labels are not supported; remove the line",
    "EXPOSE": "publish ports at run time with -p HOSTPORT:CTRPORT",
    "VOLUME": "mount volumes at run time with -v HOSTDIR:CTRDIR",
    "HEALTHCHECK": "health checks are not supported; remove the line",
    "SHELL": "the shell is always /bin/sh -c; use the exec form to run something else",
    "ONBUILD": "triggers are not supported; remove the line",
    "STOPSIGNAL": "stop signals are not supported; remove the line",
    "MAINTAINER": "deprecated in docker too; remove the line",
}
SHELL = ("/bin/sh", "-c")
MAX_BYTES = 1024 * 1024
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_VAR = re.compile(r"\\\$|\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)"
                  r"(?::(?P<op>[-+])(?P<word>[^}]*))?\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))")


@dataclass(frozen=True)
class Instruction:
    """One instruction: keyword, checked arguments, and where it was written."""

    keyword: str
    args: tuple[str, ...]
    line: int
    text: str
    path: str = "Containerfile"
    form: str | None = None                    # 'shell' | 'exec' for RUN, CMD, ENTRYPOINT
    pairs: tuple[tuple[str, str | None], ...] = ()   # ENV and ARG

    @property
    def sources(self) -> tuple[str, ...]:
        """COPY: the source paths in the build context."""
        return self.args[:-1]

    @property
    def dest(self) -> str:
        """COPY: the destination in the image."""
        return self.args[-1]

    def argv(self) -> list[str]:
        """RUN, CMD, ENTRYPOINT: the argument vector (shell form runs ``/bin/sh -c``)."""
        return list(self.args) if self.form == "exec" else [*SHELL, self.args[0]]

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class BuildPlan:
    """A parsed Containerfile: the base (``'scratch'`` or an image name) and the steps."""

    path: str
    base: str
    instructions: list[Instruction] = field(default_factory=list)

    @property
    def steps(self) -> list[Instruction]:
        """The instructions after FROM (what the build executes, in order)."""
        start = next(n for n, i in enumerate(self.instructions) if i.keyword == "FROM")
        return self.instructions[start + 1:]


def parse(path: str | os.PathLike, build_args: dict[str, str] | None = None) -> BuildPlan:
    """Parse the Containerfile at ``path`` (a file, or a directory holding one)."""
    path = os.fspath(path)
    if os.path.isdir(path):
        for candidate in ("Containerfile", "Dockerfile"):
            if os.path.isfile(os.path.join(path, candidate)):
                path = os.path.join(path, candidate)
                break
        else:
            raise ContainerfileError(path, 0, "no Containerfile (or Dockerfile) in this "
                                     "directory", "create DIR/Containerfile starting with FROM")
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise ContainerfileError(path, 0, f"{size} bytes is too large for a "
                                     f"Containerfile (limit {MAX_BYTES})")
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except UnicodeDecodeError as error:
        raise ContainerfileError(path, 0, f"not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise ContainerfileError(path, 0, f"cannot read: {error.strerror}") from None
    return parse_text(text, path, build_args)


def logical_lines(text: str) -> list[tuple[int, str]]:
    """``(first line number, joined text)`` of each instruction line."""
    result: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("#") or not stripped:
            continue  # comments and blank lines vanish, inside a continuation too
        if not pending:
            start = number
        body = raw.rstrip()
        if body.endswith("\\"):
            pending.append(body[:-1])
            continue
        pending.append(body)
        result.append((start, " ".join(part.strip() for part in pending if part.strip())))
        pending = []
    if pending:
        result.append((start, " ".join(part.strip() for part in pending if part.strip())))
    return [(n, line) for n, line in result if line]


def parse_text(text: str, path: str = "Containerfile",
               build_args: dict[str, str] | None = None) -> BuildPlan:
    """Parse Containerfile ``text``; ``path`` names it in errors."""
    parser = _Parser(path, dict(build_args or {}))
    for number, line in logical_lines(text):
        parser.add(number, line)
    return parser.finish()


class _Parser:
    def __init__(self, path: str, build_args: dict[str, str]) -> None:
        self.path = path
        self.build_args = build_args
        self.vars: dict[str, str] = {}
        self.workdir = "/"
        self.base: str | None = None
        self.instructions: list[Instruction] = []

    def error(self, line: int, reason: str, hint: str = "") -> ContainerfileError:
        return ContainerfileError(self.path, line, reason, hint)

    def add(self, number: int, line: str) -> None:
        word, rest = (re.split(r"\s+", line, maxsplit=1) + [""])[:2]
        keyword, rest = word.upper(), rest.strip()
        if keyword in UNSUPPORTED:
            raise self.error(number, f"{keyword} is a Dockerfile instruction outside the "
                             "supported subset", UNSUPPORTED[keyword])
        if keyword not in SUPPORTED:
            close = difflib.get_close_matches(keyword, SUPPORTED, n=1, cutoff=0.5)
            raise self.error(number, f"unknown instruction {word!r}",
                             f"did you mean {close[0]}?" if close else
                             f"the instructions are {', '.join(SUPPORTED)}")
        if self.base is None and keyword not in ("FROM", "ARG"):
            raise self.error(number, f"{keyword} before FROM",
                             "a Containerfile starts with 'FROM scratch' or 'FROM IMAGE' "
                             "(only ARG may come before it)")
        if not rest:
            raise self.error(number, f"{keyword} needs arguments",
                             _EXAMPLES.get(keyword, ""))
        handler = getattr(self, "_" + keyword.lower())
        instruction = handler(number, line, rest)
        self.instructions.append(instruction)

    def finish(self) -> BuildPlan:
        if self.base is None:
            raise self.error(1, "no FROM instruction",
                             "start the file with 'FROM scratch' or 'FROM IMAGE'")
        return BuildPlan(self.path, self.base, self.instructions)

    def make(self, keyword: str, number: int, text: str, args, **extra) -> Instruction:
        return Instruction(keyword, tuple(args), number, text, self.path, **extra)

    # ------------------------------------------------------------ helpers

    def expand(self, number: int, text: str) -> str:
        def value(match: re.Match) -> str:
            if match.group(0) == "\\$":
                return "$"
            name = match.group("braced") or match.group("bare")
            current = self.vars.get(name, "")
            if match.group("op") == "-":
                return current or match.group("word")
            if match.group("op") == "+":
                return match.group("word") if current else ""
            return current
        return _VAR.sub(value, text)

    def words(self, number: int, text: str) -> list[str]:
        try:
            return shlex.split(text)
        except ValueError as error:
            raise self.error(number, f"cannot split the arguments: {error}",
                             "close every quote (\" or ')") from None

    def flags(self, keyword: str, number: int, words: list[str]) -> list[str]:
        if words and words[0].startswith("--"):
            raise self.error(number, f"{keyword} option {words[0].split('=')[0]!r} is not "
                             "supported", f"write {keyword} without options")
        return words

    def command(self, keyword: str, number: int, line: str, rest: str) -> Instruction:
        if rest.startswith("["):
            try:
                argv = json.loads(rest)
            except json.JSONDecodeError as error:
                raise self.error(number, f"bad JSON (exec) form: {error.msg} at column "
                                 f"{error.colno} of {rest!r}",
                                 'write a JSON array of double-quoted strings, e.g. '
                                 f'{keyword} ["/bin/echo", "hi"], or drop the brackets for '
                                 "the shell form") from None
            if not isinstance(argv, list) or not argv or not all(
                    isinstance(a, str) for a in argv):
                raise self.error(number, f"exec form of {keyword} must be a non-empty JSON "
                                 f"array of strings, got {rest!r}",
                                 f'e.g. {keyword} ["/bin/echo", "hi"]')
            return self.make(keyword, number, line, argv, form="exec")
        return self.make(keyword, number, line, [rest], form="shell")

    # ------------------------------------------------------------ instructions

    def _from(self, number: int, line: str, rest: str) -> Instruction:
        if self.base is not None:
            raise self.error(number, "a second FROM: multi-stage builds are not supported",
                             "build each stage as its own image and COPY between them "
                             "through the build context")
        words = self.flags("FROM", number, self.words(number, self.expand(number, rest)))
        if len(words) > 1:
            raise self.error(number, f"FROM takes one image, got {' '.join(words)!r}",
                             "'FROM IMAGE AS NAME' (multi-stage) is not supported")
        image = words[0]
        if image != "scratch":
            try:
                image = normalize_name(image)
            except ImageError as error:
                raise self.error(number, str(error)) from None
        self.base = image
        return self.make("FROM", number, line, [image])

    def _copy(self, number: int, line: str, rest: str) -> Instruction:
        expanded = self.expand(number, rest)
        if expanded.startswith("["):
            try:
                words = json.loads(expanded)
            except json.JSONDecodeError as error:
                raise self.error(number, f"bad JSON form of COPY: {error.msg}",
                                 'write COPY ["src", "dst"] with double quotes') from None
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                raise self.error(number, "JSON form of COPY must be an array of strings")
        else:
            words = self.flags("COPY", number, self.words(number, expanded))
        if len(words) < 2:
            raise self.error(number, "COPY needs at least one source and a destination",
                             _EXAMPLES["COPY"])
        if len(words) > 2 and not words[-1].endswith("/"):
            raise self.error(number, f"COPY with {len(words) - 1} sources needs a "
                             f"directory destination ending in '/', got {words[-1]!r}",
                             f"write {words[-1]}/")
        return self.make("COPY", number, line, words)

    def _run(self, number: int, line: str, rest: str) -> Instruction:
        return self.command("RUN", number, line, rest)

    def _cmd(self, number: int, line: str, rest: str) -> Instruction:
        return self.command("CMD", number, line, rest)

    def _entrypoint(self, number: int, line: str, rest: str) -> Instruction:
        return self.command("ENTRYPOINT", number, line, rest)

    def _env(self, number: int, line: str, rest: str) -> Instruction:
        key, value = (re.split(r"\s+", rest, maxsplit=1) + [""])[:2]
        if "=" not in key:
            pairs = [(key, self.expand(number, value.strip()))]
            if not value.strip():
                raise self.error(number, f"ENV {key} has no value", _EXAMPLES["ENV"])
        else:
            pairs = []
            for word in self.words(number, self.expand(number, rest)):
                if "=" not in word:
                    raise self.error(number, f"ENV word {word!r} has no '='",
                                     "write every variable as NAME=value (quote values "
                                     "with spaces), or use the one-variable form ENV NAME value")
                name, _, val = word.partition("=")
                pairs.append((name, val))
        for name, _ in pairs:
            if not _NAME.match(name):
                raise self.error(number, f"bad variable name {name!r}",
                                 "names are letters, digits and '_', not starting with a digit")
        self.vars.update(pairs)
        return self.make("ENV", number, line, [f"{k}={v}" for k, v in pairs],
                         pairs=tuple(pairs))

    def _arg(self, number: int, line: str, rest: str) -> Instruction:
        words = self.words(number, rest)
        if len(words) != 1:
            raise self.error(number, "ARG declares one variable", _EXAMPLES["ARG"])
        name, has_default, default = words[0].partition("=")
        if not _NAME.match(name):
            raise self.error(number, f"bad variable name {name!r}",
                             "names are letters, digits and '_', not starting with a digit")
        value = self.build_args.get(name, default if has_default else None)
        if value is not None:
            self.vars[name] = value
        return self.make("ARG", number, line, [words[0]],
                         pairs=((name, default if has_default else None),))

    def _workdir(self, number: int, line: str, rest: str) -> Instruction:
        target = self.expand(number, rest).strip()
        try:
            self.workdir = normalize(target, self.workdir)
        except FsError as error:
            raise self.error(number, f"bad WORKDIR {target!r}: {error}") from None
        return self.make("WORKDIR", number, line, [self.workdir])

    def _user(self, number: int, line: str, rest: str) -> Instruction:
        user = self.expand(number, rest).strip()
        if " " in user or user.count(":") > 1 or user.startswith(":") or user.endswith(":"):
            raise self.error(number, f"bad USER {user!r}",
                             "write USER name, USER uid, USER name:group or USER uid:gid")
        return self.make("USER", number, line, [user])


_EXAMPLES = {
    "FROM": "e.g. 'FROM scratch' or 'FROM vlab/base'",
    "COPY": "e.g. 'COPY hello /bin/hello' or 'COPY a b /dir/'",
    "RUN": "e.g. 'RUN echo hi > /greeting'",
    "CMD": 'e.g. CMD ["/bin/sh"]',
    "ENTRYPOINT": 'e.g. ENTRYPOINT ["/bin/hello"]',
    "ENV": "e.g. 'ENV GREETING=hello' or 'ENV GREETING hello'",
    "ARG": "e.g. 'ARG VERSION=1'",
    "WORKDIR": "e.g. 'WORKDIR /app'",
    "USER": "e.g. 'USER 1000:1000'",
}
