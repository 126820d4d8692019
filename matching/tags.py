"""Tag suggestions: causes and skills for a role from its title and description.

**Skills** come from the precise skill reader (:mod:`matching.reading`): a phrase of the vocabulary in
the title counts :data:`TITLE_HIT`, in the description :data:`TEXT_HIT`; a typo-level reading counts
less. Nothing else suggests a skill: a near miss is noise to the person drafting a listing.

**Causes** combine two signals:

- phrases people use for each cause (``data/cause_lexicon.json``: the standard's labels and alternative
  labels, less the too-broad ones such as "Society" or "Clean", and everyday words such as "women",
  "food bank", "rough sleepers"), matched as whole words in any form, with stop phrases ("senior
  management" is not older people, "building society" is not community);
- a linear model (scikit-learn TF-IDF over lemmatised words, word pairs and character n-grams; each
  cause is the centroid of its texts, and a softmax over the cosine similarities gives probabilities)
  built from the standard's labels, alternative labels and definitions (``data/taxonomy_text.json``),
  the lexicon, and the demo county's listings (``data/role_corpus.json``). Character n-grams carry it to
  wording no phrase covers ("befrienders", "conservationist"). It is built in well under a second.

A cause's confidence is the noisy-or of its phrase hits, raised by the model's probability; the model
alone reaches at most :data:`MODEL_ONLY_MAX`. Suggestions below :data:`CAUSE_THRESHOLD` are not made:
that threshold was chosen on the "tune" half of the labelled set (``benchmarks/data/labelled_tags.csv``)
by ``python -m benchmarks.match_quality --tune``, never on its "test" half.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize

from .reading import DATA_DIR, DERIVED_WEIGHT, TYPO_STRENGTH, PhraseMatcher, lemma, load_senses, words
from .types import TagSuggestion
from .vocabulary import Vocabulary, default_vocabulary

TITLE_HIT = 0.95
TEXT_HIT = 0.8
STRONG_TITLE, STRONG_TEXT = 0.75, 0.55
WEAK_TITLE, WEAK_TEXT = 0.35, 0.2
MODEL_ONLY_MAX = 0.85
MODEL_BOOST = 0.5
CAUSE_THRESHOLD = 0.55  # chosen on the "tune" half by `python -m benchmarks.match_quality --tune`
SKILL_THRESHOLD = 0.5
TEMPERATURE = 12.0


def _lemma_tokens(text: str) -> list[str]:
    return [lemma(w) for w in words(text)]


@dataclass(frozen=True)
class CauseData:
    strong: dict[str, tuple[str, ...]]
    weak: frozenset[str]
    stop: dict[str, tuple[str, ...]]
    dropped: frozenset[str]


def _load_causes(path: Path | None = None) -> CauseData:
    raw = json.loads((path or DATA_DIR / "cause_lexicon.json").read_text(encoding="utf-8"))
    return CauseData(
        strong={k: tuple(v) for k, v in raw["strong"].items()},
        weak=frozenset(" ".join(words(x)) for x in raw["weak"]),
        stop={k: tuple(v) for k, v in raw["not"].items()},
        dropped=frozenset(x.lower() for x in raw["drop_alt_labels"]),
    )


class CauseModel:
    """Phrases and a linear model over the vocabulary's causes (see the module docstring)."""

    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab
        data = _load_causes()
        taxonomy = json.loads((DATA_DIR / "taxonomy_text.json").read_text(encoding="utf-8"))
        corpus = json.loads((DATA_DIR / "role_corpus.json").read_text(encoding="utf-8"))
        by_label = {lab.lower(): i for i, lab in enumerate(vocab.cause_labels)}
        entries: list[tuple[str, str, float]] = []
        docs: list[str] = []
        ys: list[int] = []

        def add_phrase(phrase: str, i: int) -> None:
            key = " ".join(words(phrase))
            weight = 0.4 if key in data.weak else 1.0
            entries.append((phrase, vocab.cause_ids[i], weight))

        for i, cid in enumerate(vocab.cause_ids):
            add_phrase(vocab.cause_labels[i], i)
            for phrase in data.strong.get(cid, ()):
                add_phrase(phrase, i)
                docs.append(phrase)
                ys.append(i)
        for c in taxonomy["causes"]:
            found = by_label.get(c["label"].lower())
            if found is None:
                continue
            docs.append(f"{c['label']} {c['label']} {c['definition']}")
            ys.append(found)
            for alt in c["alt_labels"]:
                if alt.lower() not in data.dropped:
                    add_phrase(alt, found)
                    docs.append(alt)
                    ys.append(found)
        for role in corpus["roles"]:
            for cid in role["causes"]:
                j = vocab.cause_index.get(cid)
                if j is not None:
                    docs.append(f"{role['title']} {role['title']} {role['description']}")
                    ys.append(j)
        self.matcher = PhraseMatcher(entries, data.stop, load_senses().negators)
        self.features = FeatureUnion(
            [
                (
                    "words",
                    TfidfVectorizer(
                        tokenizer=_lemma_tokens, token_pattern=None, lowercase=False, ngram_range=(1, 2), sublinear_tf=True
                    ),
                ),
                (
                    "chars",
                    TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2, max_features=6000),
                ),
            ]
        )
        x = normalize(self.features.fit_transform(docs))
        y = np.asarray(ys, dtype=np.int64)
        centroids = np.zeros((vocab.n_causes, x.shape[1]))
        for i in range(vocab.n_causes):
            if (y == i).any():
                centroids[i] = np.asarray(x[y == i].sum(axis=0)).ravel()
        # one row per cause: the mean direction of its texts
        self.centroids: npt.NDArray[np.float64] = normalize(centroids)

    def probabilities(self, text: str) -> npt.NDArray[np.float64]:
        """The model's probability of each cause (vocabulary order): a softmax over the cosine similarity
        of the text to each cause's centroid."""
        if not words(text):
            return np.zeros(self.vocab.n_causes)
        q = normalize(self.features.transform([text]))
        sims = np.asarray(q @ self.centroids.T, dtype=np.float64).ravel()
        if sims.max() <= 0:
            return np.zeros(self.vocab.n_causes)
        z = np.exp(TEMPERATURE * (sims - sims.max()))
        return np.asarray(z / z.sum(), dtype=np.float64)

    def confidences(self, title: str, description: str) -> dict[int, float]:
        miss: dict[int, float] = {}
        seen: set[tuple[str, str]] = set()
        for text, strong, weak in ((title, STRONG_TITLE, WEAK_TITLE), (description, STRONG_TEXT, WEAK_TEXT)):
            for hit in self.matcher.hits(text):
                key = (hit.label, " ".join(lemma(w) for w in words(hit.phrase)))
                if key in seen:  # a phrase said again is the same evidence
                    continue
                seen.add(key)
                i = self.vocab.cause_index[hit.label]
                p = strong * hit.weight if hit.weight >= DERIVED_WEIGHT else weak
                miss[i] = miss.get(i, 1.0) * (1.0 - p)
        probs = self.probabilities(f"{title}. {title}. {description}")
        out: dict[int, float] = {}
        for i in range(self.vocab.n_causes):
            lex = 1.0 - miss.get(i, 1.0)
            m = float(probs[i])
            if lex > 0:
                conf = 1.0 - (1.0 - lex) * (1.0 - MODEL_BOOST * m)
            else:
                conf = MODEL_ONLY_MAX * m
            if conf > 0.01:
                out[i] = conf
        return out


@lru_cache(maxsize=4)
def cause_model(vocab: Vocabulary) -> CauseModel:
    return CauseModel(vocab)


def skill_confidences(vocab: Vocabulary, title: str, description: str) -> dict[int, float]:
    out: dict[int, float] = {}
    for text, base in ((title, TITLE_HIT), (description, TEXT_HIT)):
        for r in vocab.read_skills(text):
            c = base * (1.0 if r.strength >= 1.0 else TYPO_STRENGTH)
            out[r.skill] = max(out.get(r.skill, 0.0), c)
    return out


def suggest_tags(
    title: str,
    description: str = "",
    k_skills: int = 5,
    k_causes: int = 3,
    min_confidence: float | None = None,
    vocab: Vocabulary | None = None,
) -> list[TagSuggestion]:
    """Ranked suggestions (best first) of skills and causes for a role, each with a confidence 0..1.
    ``min_confidence`` overrides the tested thresholds (:data:`CAUSE_THRESHOLD`, :data:`SKILL_THRESHOLD`)."""
    vocab = vocab or default_vocabulary()
    title, description = title or "", description or ""
    if not (title.strip() or description.strip()):
        return []
    c_min = CAUSE_THRESHOLD if min_confidence is None else min_confidence
    s_min = SKILL_THRESHOLD if min_confidence is None else min_confidence
    skills = [
        TagSuggestion("skill", vocab.skill_ids[i], vocab.skill_labels[i], round(c, 3))
        for i, c in skill_confidences(vocab, title, description).items()
        if c >= s_min
    ]
    causes = [
        TagSuggestion("cause", vocab.cause_ids[i], vocab.cause_labels[i], round(c, 3))
        for i, c in cause_model(vocab).confidences(title, description).items()
        if c >= c_min
    ]
    key = lambda t: (-t.confidence, t.id)  # noqa: E731
    skills.sort(key=key)
    causes.sort(key=key)
    return sorted(skills[:k_skills] + causes[:k_causes], key=key)


def rank_causes(title: str, description: str = "", vocab: Vocabulary | None = None) -> list[tuple[str, float]]:
    """Every cause with a confidence, best first (for evaluation and thresholds)."""
    vocab = vocab or default_vocabulary()
    conf = cause_model(vocab).confidences(title or "", description or "")
    return sorted(((vocab.cause_ids[i], c) for i, c in conf.items()), key=lambda x: (-x[1], x[0]))
