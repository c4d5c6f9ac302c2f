"""The scanner: one source line in, a list of tokens out.

GNU ``as`` for RISC-V reads a line at a time: ``#`` starts a comment to the end
of the line, ``/* ... */`` may span lines (:func:`blank_block_comments`; one never
closed is an error, as in GNU as), ``;``
separates statements on one line, labels end in ``:``.  We also accept ``//``
comments, which GNU as for RISC-V does not, because course material uses them.  Symbol names may
contain ``.``, ``_`` and ``$`` (so ``fence.i`` and ``.L1`` are single names).
Numbers follow C: ``0x1f``, ``0b101``, ``017`` (octal), ``42``, ``'a'``; like GNU as on a
64-bit host, a number must fit in 64 bits (``MAX_NUMBER_BITS``).  Characters in a string
stand for their UTF-8 bytes; a byte that is not UTF-8 (read with Python's
``surrogateescape``) stands for itself, so ``.ascii "\xff\xfe"`` written as raw bytes
assembles to ``ff fe`` as GNU as, which reads bytes, does.
A digit followed by ``b`` or ``f`` (``1b``, ``2f``) is a reference to the
numeric local label before or after this line (GNU as manual, "Local Labels").
Compare clox's ``scanner.c``: a table of single-character tokens, one function
per longer token.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import SourceError

IDENT, NUMBER, STRING, LOCAL_REF, PUNCT = "ident", "number", "string", "local-ref", "punct"

NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_.$")
NAME_CHARS = NAME_START | frozenset("0123456789")
DIGITS = frozenset("0123456789")
# Longest first: the scanner tries two-character operators before one-character ones.
PUNCTUATION = ("<<", ">>", ",", "(", ")", ":", "+", "-", "*", "/", "%", "&", "|", "^", "~", "!",
               "=", "@")
MAX_NUMBER_BITS = 64
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0",
           "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def blank_block_comments(source: str) -> tuple[str, int | None]:
    """Replace each ``/* ... */`` comment by spaces, keeping newlines (so lines and
    columns stay where the student sees them).  Not inside strings or ``#`` comments.
    Returns the text and the offset of a ``/*`` never closed (None if every one is)."""
    out = list(source)
    unterminated = None
    i, in_string, in_line_comment = 0, False, False
    while i < len(source):
        ch = source[i]
        if ch == "\n":
            in_string = in_line_comment = False
        elif in_string:
            if ch == "\\" and source[i + 1:i + 2] != "\n":
                i += 1
            elif ch == '"':
                in_string = False
        elif in_line_comment:
            pass
        elif ch == '"':
            in_string = True
        elif ch == "#" or source.startswith("//", i):
            in_line_comment = True
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            if end < 0:
                unterminated, end = i, len(source)
            else:
                end += 2
            for j in range(i, end):
                out[j] = "\n" if source[j] == "\n" else " "
            i = end
            continue
        i += 1
    return "".join(out), unterminated


@dataclass(frozen=True)
class Token:
    kind: str
    text: str  # the source text (for STRING: the bytes it stands for, one char per byte)
    column: int  # 1-based column of the first character
    value: int | None = None  # for NUMBER: its value; for LOCAL_REF: the label number

    def is_punct(self, text: str) -> bool:
        return self.kind == PUNCT and self.text == text


def tokenize_line(line: str) -> list[list[Token]]:
    """Split one source line into statements (``;``-separated), each a token list."""
    statements: list[list[Token]] = [[]]
    i = 0
    while i < len(line):
        ch = line[i]
        if ch in " \t\r\f\v":
            i += 1
        elif ch == "#" or line.startswith("//", i):
            break
        elif ch == ";":
            statements.append([])
            i += 1
        else:
            token, i = _scan_token(line, i)
            statements[-1].append(token)
    return [s for s in statements if s]


def _scan_token(line: str, i: int) -> tuple[Token, int]:
    ch = line[i]
    if ch in DIGITS:
        return _scan_number(line, i)
    if ch in NAME_START:
        j = i
        while j < len(line) and line[j] in NAME_CHARS:
            j += 1
        return Token(IDENT, line[i:j], i + 1), j
    if ch == '"':
        return _scan_string(line, i)
    if ch == "'":
        return _scan_char(line, i)
    for punct in PUNCTUATION:
        if line.startswith(punct, i):
            return Token(PUNCT, punct, i + 1), i + len(punct)
    raise SourceError(f"unexpected character {ch!r}", i + 1,
                      "remove it; comments start with '#' or '//'")


def _scan_number(line: str, i: int) -> tuple[Token, int]:
    j = i
    while j < len(line) and line[j] in NAME_CHARS:
        j += 1
    text = line[i:j]
    lower = text.lower()
    if len(text) >= 2 and text[-1] in "bf" and text[:-1].isdigit() and not _is_binary(lower):
        if len(text) > 20:
            raise SourceError(f"local label number {_short(text)} is too large", i + 1)
        return Token(LOCAL_REF, text, i + 1, int(text[:-1])), j
    if len(text) > MAX_NUMBER_BITS + 2:       # more digits than any 64-bit number has
        raise _too_large(text, i)
    try:
        if lower.startswith(("0x", "0b")):
            value = int(lower[2:], 16 if lower[1] == "x" else 2)
        elif len(lower) > 1 and lower.startswith("0"):
            value = int(lower[1:], 8)
        else:
            value = int(lower, 10)
    except ValueError:
        raise SourceError(f"malformed number {_short(text)}", i + 1,
                          "write decimal (42), hex (0x2a), binary (0b101010) or octal (052)"
                          ) from None
    if value >= 1 << MAX_NUMBER_BITS:
        raise _too_large(text, i)
    return Token(NUMBER, text, i + 1, value), j


def _short(text: str) -> str:
    return repr(text) if len(text) <= 24 else f"{text[:20]!r}... ({len(text)} characters)"


def _too_large(text: str, i: int) -> SourceError:
    return SourceError(f"number {_short(text)} does not fit in {MAX_NUMBER_BITS} bits", i + 1,
                       "GNU as keeps 64-bit values; the largest is 0xffffffffffffffff")


def _is_binary(lower: str) -> bool:
    return lower.startswith("0b") and len(lower) > 2 and set(lower[2:]) <= {"0", "1"}


def _read_escape(line: str, j: int, column: int) -> tuple[str, int]:
    """Decode the escape sequence after the backslash at ``line[j-1]``."""
    if j >= len(line):
        raise SourceError("backslash at end of line", column, "write \\\\ for a backslash")
    ch = line[j]
    if ch in "01234567":  # up to three octal digits: \0, \12, \101
        k = j
        while k < len(line) and k < j + 3 and line[k] in "01234567":
            k += 1
        return chr(int(line[j:k], 8) & 0xFF), k
    if ch == "x":
        k = j + 1
        while k < len(line) and line[k] in "0123456789abcdefABCDEF":
            k += 1
        if k == j + 1:
            raise SourceError("\\x needs hex digits", column, "e.g. \\x41")
        return chr(int(line[j + 1:k], 16) & 0xFF), k
    if ch in ESCAPES:
        return ESCAPES[ch], j + 1
    raise SourceError(f"unknown escape sequence \\{ch}", column,
                      "known escapes: \\n \\t \\r \\0 \\\\ \\\" \\xHH \\NNN (octal)")


def _scan_string(line: str, i: int) -> tuple[Token, int]:
    chars: list[str] = []
    j = i + 1
    while j < len(line) and line[j] != '"':
        if line[j] == "\\":
            decoded, j = _read_escape(line, j + 1, j + 1)
            chars.append(decoded)
        else:  # a literal character stands for its bytes in the file, as in GNU as
            chars.append(_source_bytes(line[j]).decode("latin-1"))
            j += 1
    if j >= len(line):
        raise SourceError("unterminated string", i + 1, 'close the string with "')
    return Token(STRING, "".join(chars), i + 1), j + 1


def _source_bytes(char: str) -> bytes:
    """The bytes ``char`` came from: UTF-8, or the raw byte a ``surrogateescape`` decode
    kept (U+DC80..U+DCFF); any other lone surrogate as its UTF-8-like form."""
    try:
        return char.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return char.encode("utf-8", "surrogatepass")


def _scan_char(line: str, i: int) -> tuple[Token, int]:
    if i + 1 >= len(line):
        raise SourceError("character constant without a character", i + 1, "e.g. 'a'")
    if line[i + 1] == "\\":
        decoded, j = _read_escape(line, i + 2, i + 1)
    else:
        decoded, j = line[i + 1], i + 2
    if j < len(line) and line[j] == "'":
        j += 1
    return Token(NUMBER, line[i:j], i + 1, ord(decoded)), j
