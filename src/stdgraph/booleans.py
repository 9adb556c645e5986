"""The words stdgraph reads as true or false, in one place.

Settings (``STDGRAPH_*`` variables), named-query and analysis parameters, the pages' URL flags
and the import route's options all read a boolean with :func:`parse_bool`, so the same words
work everywhere (docs/endpoint.md, "Booleans"): ``true``, ``1``, ``yes``, ``on`` and ``false``,
``0``, ``no``, in any case, surrounding spaces ignored. ``on`` is what an HTML checkbox sends
when it is ticked; an unticked box sends nothing, so there is no ``off``. An empty value is
"not given" wherever a default applies; that is the caller's decision, not a word here.
"""

from __future__ import annotations

__all__ = ["FALSE_WORDS", "TRUE_WORDS", "parse_bool"]

TRUE_WORDS = ("true", "1", "yes", "on")
FALSE_WORDS = ("false", "0", "no")


def parse_bool(text: str) -> bool:
    """``text`` as a boolean; ValueError (naming the words) for anything else."""
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"{text!r} is not a boolean (true, 1, yes, on / false, 0, no)")
