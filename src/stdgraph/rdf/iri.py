"""The one check of an IRI that comes from outside: a URL parameter (``/store?graph=``,
``default-graph-uri``, ``named-graph-uri``, ``using-graph-uri``, ``using-named-graph-uri``, a
named query's, an analysis's or a page's ``iri`` parameter) or an IRI that must go into SPARQL
text (``sparql.terms.iri_ref``, ``sparql.named.sparql_term``).

An IRI passes when it is absolute (a scheme), has nothing that could leave SPARQL's angle
brackets (``<>"{}|^`\\``, spaces, controls), and parses with Oxigraph's IRI grammar (RFC 3987):
a second ``#``, a ``%`` not followed by two hex digits, a C1 control such as U+0085, a lone
surrogate or a bad host all fail here, with the reason, instead of deep inside a parser or a
store call (where they surfaced as a 500 or as a syntax error in a query the client did not
write).
"""

from __future__ import annotations

import re

import pyoxigraph as ox

__all__ = ["check_iri", "is_iri"]

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')


def check_iri(text: str) -> str:
    """``text`` when it is an absolute IRI stdgraph accepts (above); ``ValueError`` naming the
    reason otherwise."""
    if not isinstance(text, str) or not text:
        raise ValueError("an IRI cannot be empty")
    if not _SCHEME.match(text):
        raise ValueError("not an absolute IRI (no scheme such as http:)")
    bad = _FORBIDDEN.search(text)
    if bad is not None:
        raise ValueError(f"the character {bad.group()!r} at position {bad.start() + 1} is not "
                         "allowed in an IRI")
    try:
        ox.NamedNode(text)
    except ValueError as e:  # UnicodeEncodeError (a lone surrogate) is a ValueError too
        reason = "a lone surrogate" if isinstance(e, UnicodeError) else str(e)
        raise ValueError(f"not a valid IRI: {_visible(reason)}") from None
    return text


def _visible(text: str) -> str:
    """``text`` with invisible characters (Oxigraph quotes the offending one) as U+XXXX."""
    return "".join(c if c.isprintable() else f"U+{ord(c):04X}" for c in text)


def is_iri(text: str) -> bool:
    """``check_iri`` as a test."""
    try:
        check_iri(text)
    except ValueError:
        return False
    return True
