"""``multipart/form-data`` request bodies (RFC 7578, RFC 2046 §5.1), read by the endpoint.

The Graph Store Protocol lets a client POST several RDF documents in one request, as the parts
of a ``multipart/form-data`` body, each with its own Content-Type (SPARQL 1.1 Graph Store HTTP
Protocol §5.5). Starlette reads multipart bodies only through python-multipart, a dependency
for this one use (docs/dependencies.md); the format is small enough to read here, from a body
already read whole under ``STDGRAPH_MAX_BODY_BYTES``. Every fault is an ``ApiError`` 400 that
says what is wrong; no part is read past the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from stdgraph.api.errors import ApiError

MEDIA_TYPE = "multipart/form-data"
# RFC 2046 §5.1.1: 1 to 70 characters of bchars, not ending in a space
_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
# a parameter of a header value: name=token or name="quoted string" (backslash escapes)
_PARAM = re.compile(r';\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))', re.S)


@dataclass(frozen=True)
class Part:
    """One part: its form field ``name`` and ``filename`` (Content-Disposition), its
    Content-Type as sent (``None`` when absent), its bytes, and its place (1-based)."""

    index: int
    name: str | None
    filename: str | None
    content_type: str | None
    body: bytes

    @property
    def label(self) -> str:
        """How messages name the part: ``part 2 "data" (b.ttl)``."""
        label = f"part {self.index}"
        if self.name:
            label += f' "{self.name}"'
        if self.filename:
            label += f" ({self.filename})"
        return label


def boundary(content_type: str, supported: list[str]) -> str:
    """The boundary of a multipart Content-Type header (a quoted one may hold ``;``, which
    bchars do not allow); without a valid one the body cannot be read at all: 415, naming the
    ``supported`` media types."""
    value = _params(content_type[content_type.find(";"):] if ";" in content_type else "").get(
        "boundary")
    if not value or not _BOUNDARY.fullmatch(value):
        raise ApiError(415, "cannot read multipart/form-data without a boundary parameter of 1 "
                            "to 70 characters in the Content-Type (RFC 2046 §5.1.1); "
                            f"supported: {', '.join(supported)}", supported=supported)
    return value


def parse(body: bytes, boundary: str) -> list[Part]:
    """The parts of a multipart body, in order (the preamble and epilogue are ignored)."""
    data = b"\r\n" + body  # so that the first delimiter, too, follows a line break
    delimiter = b"\r\n--" + boundary.encode("ascii")
    pos = data.find(delimiter)
    if pos < 0:
        raise ApiError(400, f"the multipart body never has its boundary line --{boundary}")
    parts: list[Part] = []
    while True:
        start = pos + len(delimiter)
        if data.startswith(b"--", start):  # the close delimiter
            break
        end_of_line = data.find(b"\n", start)
        if end_of_line < 0 or data[start:end_of_line].strip(b" \t\r"):
            raise ApiError(400, f"the multipart boundary line of part {len(parts) + 1} is "
                                "followed by something other than a line break")
        nxt = data.find(delimiter, end_of_line + 1)
        if nxt < 0:
            raise ApiError(400, f"the multipart body ends inside part {len(parts) + 1}: the "
                                f"closing --{boundary}-- is missing")
        parts.append(_part(len(parts) + 1, data[end_of_line + 1:nxt]))
        pos = nxt
    if not parts:
        raise ApiError(400, "the multipart body has no parts")
    return parts


def _part(index: int, raw: bytes) -> Part:
    if raw.startswith(b"\r\n"):
        head, content = b"", raw[2:]
    else:
        head, sep, content = raw.partition(b"\r\n\r\n")
        if not sep:
            raise ApiError(400, f"part {index} of the multipart body has no blank line after "
                                "its headers")
    headers: dict[str, str] = {}
    for line in head.split(b"\r\n") if head else ():
        key, colon, value = line.partition(b":")
        if not colon or not key.strip():
            raise ApiError(400, f"part {index} of the multipart body has a malformed header "
                                f"line: {line[:80]!r}")
        headers[key.strip().decode("latin-1").lower()] = _text(value.strip())
    encoding = headers.get("content-transfer-encoding", "binary").lower()
    if encoding not in {"binary", "8bit", "7bit"}:
        raise ApiError(400, f"part {index} of the multipart body has Content-Transfer-Encoding "
                            f"{encoding}; send the document as it is (RFC 7578 §4.7)")
    name: str | None = None
    filename: str | None = None
    disposition = headers.get("content-disposition")
    if disposition is not None:
        params = _params(disposition)
        name = params.get("name")
        filename = params.get("filename")
        extended = params.get("filename*", "")  # RFC 5987: charset'language'percent-encoded
        if extended.count("'") >= 2:
            charset, _lang, encoded = extended.split("'", 2)
            try:
                filename = unquote(encoded, encoding=charset or "utf-8", errors="strict")
            except (LookupError, UnicodeDecodeError):
                pass
    return Part(index, name, filename, headers.get("content-type"), content)


def _text(raw: bytes) -> str:
    """A header value: UTF-8 (RFC 7578 §5.1.3 allows it in file names), else Latin-1."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _params(value: str) -> dict[str, str]:
    """The parameters of a header value such as ``form-data; name="a"; filename="b.ttl"``."""
    out: dict[str, str] = {}
    for m in _PARAM.finditer(value):
        quoted, token = m[2], m[3]
        out[m[1].lower()] = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None \
            else token.strip()
    return out
