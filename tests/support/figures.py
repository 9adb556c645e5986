"""What the reliability tests did, printed in the terminal summary and quoted in
docs/reliability.md: requests per fuzzed operation, statuses, 5xx answers, bad inputs tried.

Kept here, not in tests/reliability/conftest.py, so that tests/conftest.py can print them: under
pytest-xdist (``scripts/test`` runs two workers) the controller never loads the conftest of a
test folder, and each worker counts its own; the workers hand their counts to the controller
(``workeroutput``), which adds them up."""

from __future__ import annotations

from collections import Counter

FIGURES: dict[str, Counter] = {"requests": Counter(), "statuses": Counter(),
                               "server_errors": Counter(), "bad_inputs": Counter()}

#: the key of a worker's counts in xdist's ``workeroutput``
WORKER_KEY = "stdgraph_reliability_figures"


def as_plain() -> dict[str, dict]:
    """The counts as plain dicts (what xdist can send from a worker)."""
    return {kind: dict(counts) for kind, counts in FIGURES.items()}


def add(counts: dict[str, dict]) -> None:
    """Add a worker's counts (``as_plain``) to this process's."""
    for kind, values in counts.items():
        FIGURES.setdefault(kind, Counter()).update(values)


def summary_lines() -> list[str]:
    """The lines of the terminal summary's section; none when no reliability test ran."""
    req, bad = FIGURES["requests"], FIGURES["bad_inputs"]
    lines = []
    if req:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(FIGURES["statuses"].items()))
        lines.append(f"fuzzer: {sum(req.values())} requests over {len(req)} operations; "
                     f"statuses {statuses}; 5xx answers: "
                     f"{sum(FIGURES['server_errors'].values())}")
    if bad:
        lines.append(f"bad inputs tried: {sum(bad.values())} ("
                     + ", ".join(f"{k} {v}" for k, v in sorted(bad.items())) + ")")
    return lines
