"""An independent, brute-force computation of what ``stdgraph.suggest`` computes, for the
exact-answer tests: TF-IDF written out by its formula (sub-linear tf ``1 + ln tf``, smooth idf
``ln((1 + n) / (1 + df)) + 1``, rows L2-normalised), word 1-2 grams after English stop words and
character 3-5 grams within word boundaries (a word padded with one space each side; a padded
word no longer than n counts once, whole, and ends its grams), the halves
weighted 0.6 / 0.4, and the structural cosines of sets. Pure Python, dicts and ``math``: no
scikit-learn, no numpy, no scipy (only scikit-learn's list of English stop words, which is data).
"""

from __future__ import annotations

import math
import re
from collections import Counter

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

TOKEN = re.compile(r"(?u)\b[A-Za-z][A-Za-z]+\b|\b\d[\d.]*\d\b")


def word_terms(text: str) -> list[str]:
    tokens = [t for t in TOKEN.findall(text.lower()) if t not in ENGLISH_STOP_WORDS]
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def char_terms(text: str) -> list[str]:
    out = []
    for w in re.sub(r"\s\s+", " ", text.lower()).split():
        w = f" {w} "
        for n in range(3, 6):
            if len(w) <= n:  # a word no longer than n: itself, once
                out.append(w)
                break
            out += [w[i:i + n] for i in range(len(w) - n + 1)]
    return out


class Half:
    """One half of the model: idf from the fitted documents, rows of any document (terms the
    fitted documents never use are dropped, as a fitted vectorizer drops them)."""

    def __init__(self, docs: list[list[str]]) -> None:
        self.n = len(docs)
        self.df = Counter(t for d in docs for t in set(d))

    def row(self, doc: list[str]) -> dict[str, float]:
        row = {t: (1 + math.log(c)) * (math.log((1 + self.n) / (1 + self.df[t])) + 1)
               for t, c in Counter(doc).items() if t in self.df}
        norm = math.sqrt(sum(v * v for v in row.values()))
        return {t: v / norm for t, v in row.items()} if norm else {}


def dot(a: dict, b: dict) -> float:
    return sum(v * b.get(t, 0.0) for t, v in a.items())


class Brute:
    """Text cosines between the texts fitted (``texts``: name -> text), and of any text to
    them."""

    def __init__(self, texts: dict[str, str], word_weight: float = 0.6) -> None:
        self.weight = word_weight
        self.words = Half([word_terms(t) for t in texts.values()])
        self.chars = Half([char_terms(t) for t in texts.values()])
        self.rows = {n: self.row(t) for n, t in texts.items()}

    def row(self, text: str) -> dict:
        row = {("w", t): v * self.weight for t, v in self.words.row(word_terms(text)).items()}
        row.update({("c", t): v * (1 - self.weight)
                    for t, v in self.chars.row(char_terms(text)).items()})
        norm = math.sqrt(sum(v * v for v in row.values()))
        return {t: v / norm for t, v in row.items()} if norm else {}

    def cos(self, a: str, b: str) -> float:
        return dot(self.rows[a], self.rows[b])

    def query(self, text: str, other: str) -> float:
        return dot(self.row(text), self.rows[other])


def set_cos(a: set, b: set) -> float:
    return len(a & b) / math.sqrt(len(a) * len(b)) if a and b else 0.0
