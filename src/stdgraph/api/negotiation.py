"""HTTP content negotiation: ``Accept`` with q-values, specificity and wildcards, and
``Content-Type`` checks.

``negotiate`` picks one of the server's offers for an ``Accept`` header the way RFC 9110 §12.5.1
describes: every offer gets the q-value of the *most specific* media range that matches it
(``type/subtype;params`` > ``type/subtype`` > ``type/*`` > ``*/*``); the offer with the highest
q-value wins, ties going to the server's order of preference; ``q=0`` means "not acceptable".
No header (or an empty one) means anything is fine and the first offer is returned. When nothing
is acceptable the answer is ``None`` and the caller answers 406, naming the offers
(``NotAcceptable`` carries them).

``format_or_accept`` is how every route that takes ``?format=`` chooses: the parameter, when
given, overrides ``Accept`` (400 naming it, and the formats there are, when it is not one of
them).

The module knows nothing about HTTP frameworks, so the library, the API and the CLI can all use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from stdgraph.rdf.formats import NotAcceptable, UnsupportedMediaType
from stdgraph.sparql.named import ParameterError

__all__ = [
    "MediaRange",
    "NotAcceptable",
    "UnknownFormat",
    "UnsupportedMediaType",
    "format_or_accept",
    "negotiate",
    "negotiate_name",
    "parse_accept",
    "parse_content_type",
    "require_content_type",
    "requested_format",
    "response_media_type",
]


@dataclass(frozen=True)
class MediaRange:
    """One element of an ``Accept`` header."""

    type: str
    subtype: str
    params: tuple[tuple[str, str], ...] = field(default=())
    q: float = 1.0
    index: int = 0  # position in the header, for stable ordering

    @property
    def specificity(self) -> int:
        """3 with parameters, 2 exact, 1 ``type/*``, 0 ``*/*``."""
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 3 if self.params else 2

    def matches(self, media_type: str) -> bool:
        t, _, s = media_type.partition("/")
        if self.type == "*":
            return True
        if self.type != t:
            return False
        return self.subtype == "*" or self.subtype == s

    def params_match(self, offer_params: Mapping[str, str]) -> bool:
        # charset is about encoding, and every answer is UTF-8: utf-8 (or none) matches
        for k, v in self.params:
            if k == "charset":
                if v.lower() not in {"utf-8", "utf8", "us-ascii"}:
                    return False
            elif offer_params.get(k) != v:
                return False
        return True


def _split_params(part: str) -> tuple[str, list[tuple[str, str]]]:
    bits = [b.strip() for b in part.split(";")]
    params = []
    for b in bits[1:]:
        if not b:
            continue
        k, _, v = b.partition("=")
        params.append((k.strip().lower(), v.strip().strip('"')))
    return bits[0].lower(), params


def _parse_q(value: str) -> float | None:
    try:
        q = float(value)
    except ValueError:
        return None
    if not 0.0 <= q <= 1.0 or len(value) > 5:
        return None
    return q


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; malformed elements are skipped."""
    out: list[MediaRange] = []
    if not header:
        return out
    for i, part in enumerate(header.split(",")):
        part = part.strip()
        if not part:
            continue
        mt, params = _split_params(part)
        if mt == "*":  # some clients send a bare '*'
            mt = "*/*"
        t, slash, s = mt.partition("/")
        if not slash or not t or not s or (t == "*" and s != "*"):
            continue
        q = 1.0
        rest = []
        bad = False
        for k, v in params:
            if k == "q":
                parsed = _parse_q(v)
                if parsed is None:
                    bad = True
                    break
                q = parsed
                # parameters after q are accept-extensions, not media type parameters
                break
            rest.append((k, v))
        if bad:
            continue
        out.append(MediaRange(t, s, tuple(rest), q, i))
    return out


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """The best of ``offers`` (media types, in server preference order) for ``accept``;
    ``None`` when none is acceptable. No or empty header: the first offer."""
    if not offers:
        return None
    ranges = parse_accept(accept)
    if not ranges:
        return None if (accept or "").strip() else offers[0]
    best: tuple[float, int, int] | None = None
    chosen = None
    for pos, offer in enumerate(offers):
        base, oparams = _split_params(offer)
        odict = dict(oparams)
        match: MediaRange | None = None
        for r in ranges:
            if r.matches(base) and r.params_match(odict):
                if match is None or r.specificity > match.specificity:
                    match = r
        if match is None or match.q <= 0:
            continue
        key = (match.q, match.specificity, -pos)
        if best is None or key > best:
            best, chosen = key, offer
    return chosen


def negotiate_name(
    accept: str | None,
    table: Mapping[str, Sequence[str]] | Mapping[str, str],
    *,
    what: str = "this answer",
) -> str:
    """Like ``negotiate`` over a table ``name -> media type(s)`` (first name = default); returns
    the name, or raises ``NotAcceptable`` naming the primary media types."""
    offers: list[str] = []
    owner: dict[str, str] = {}
    lists = [[types] if isinstance(types, str) else list(types) for types in table.values()]
    # primary media types first, in table order, then the aliases: ``text/*`` means CSV/TSV,
    # not the text/xml alias of SPARQL XML
    for depth in range(max((len(x) for x in lists), default=0)):
        for name, types in zip(table, lists, strict=True):
            if depth < len(types):
                offers.append(types[depth])
                owner.setdefault(types[depth], name)
    picked = negotiate(accept, offers)
    if picked is None:
        primary = [t if isinstance(t, str) else t[0] for t in table.values()]
        raise NotAcceptable(primary, what)
    return owner[picked]


class UnknownFormat(ParameterError):
    """400: ``?format=`` names a format this answer does not come in; ``supported`` lists
    those it does (the error envelope shows them)."""

    def __init__(self, given: str, supported: Iterable[str], param: str = "format") -> None:
        self.supported = list(supported)
        super().__init__(param, f"{given!r} is not one of: {', '.join(self.supported)}")


def requested_format(params: Mapping[str, Sequence[str]], table: Mapping[str, object], *,
                     param: str = "format") -> str | None:
    """The format named by the ``param`` query parameter (``params``: name -> values), None
    when it is not given; ParameterError when it is given twice, UnknownFormat when it is not
    a name of ``table``."""
    values = params.get(param) or []
    if len(values) > 1:
        raise ParameterError(param, "takes one value, got several")
    if not values:
        return None
    if values[0] not in table:
        raise UnknownFormat(values[0], table, param)
    return values[0]


def format_or_accept(
    params: Mapping[str, Sequence[str]],
    accept: str | None,
    table: Mapping[str, Sequence[str]] | Mapping[str, str],
    *,
    what: str = "this answer",
    param: str = "format",
) -> str:
    """The answer's format, by name of ``table``: ``?format=`` when given (it overrides
    ``Accept``; see ``requested_format``), else negotiated from ``accept`` (NotAcceptable when
    nothing fits)."""
    given = requested_format(params, table, param=param)
    return given if given is not None else negotiate_name(accept, table, what=what)


def response_media_type(fmt: str, table: Mapping[str, Sequence[str]]) -> str:
    """The ``Content-Type`` of a response in format ``fmt``: the first media type ``table``
    gives it, with ``; charset=utf-8`` for the textual ones."""
    mt = table[fmt][0]
    if mt.startswith("text/") or mt.endswith("+json") or mt.endswith("+xml") or \
            mt in {"application/n-triples", "application/n-quads", "application/trig"}:
        return mt + "; charset=utf-8"
    return mt


def parse_content_type(header: str | None) -> tuple[str, dict[str, str]]:
    """``("type/subtype", {param: value})`` in lower case; ``("", {})`` when absent."""
    if not header or not header.strip():
        return "", {}
    mt, params = _split_params(header)
    return mt, dict(params)


def require_content_type(header: str | None, supported: Iterable[str]) -> str:
    """The media type of ``header`` if it is one of ``supported`` (and UTF-8), else raise
    ``UnsupportedMediaType``."""
    supported = list(supported)
    mt, params = parse_content_type(header)
    charset = params.get("charset", "utf-8").lower()
    if mt not in supported or charset not in {"utf-8", "utf8", "us-ascii"}:
        raise UnsupportedMediaType(header, supported)
    return mt
