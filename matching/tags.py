"""Tag suggestions: causes and skills for a role from its title and description.

Two signals, combined per tag: phrases of the vocabulary found in the text (exact, plural-tolerant; in
the title they count more; a phrase inside a longer one, such as "driver" inside "minibus driver", counts
less) plus near-misses of the title (typos, rapidfuzz), and a scikit-learn TF-IDF model (words and word
pairs) fitted on the vocabulary's labels, synonyms and short descriptions, compared with cosine similarity.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from .types import TagSuggestion
from .vocabulary import SKILL_DESCRIPTIONS, Vocabulary, default_vocabulary, tokens

TITLE_HIT = 0.95
TEXT_HIT = 0.75
INNER_HIT = 0.55


class _Model:
    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab
        docs, self.items = [], []
        for i, sid in enumerate(vocab.skill_ids):
            docs.append(" ".join([vocab.skill_labels[i]] * 2 + vocab.skill_synonyms[i] + [SKILL_DESCRIPTIONS.get(sid, "")]))
            self.items.append(("skill", i))
        for i, cid in enumerate(vocab.cause_ids):
            docs.append(" ".join([vocab.cause_labels[i]] * 2 + vocab.cause_synonyms[i]))
            self.items.append(("cause", i))
        self.vec = TfidfVectorizer(
            tokenizer=tokens, token_pattern=None, lowercase=False, ngram_range=(1, 2), sublinear_tf=True, stop_words=None
        )
        self.M = self.vec.fit_transform(docs)


@lru_cache(maxsize=4)
def _model(vocab: Vocabulary) -> _Model:
    return _Model(vocab)


def _exact_hits(vocab: Vocabulary, text: str, base: float) -> dict[tuple[str, int], float]:
    toks = tokens(text)
    hits = vocab.find_terms(toks)
    spans = [(start, start + size) for _, _, start, size in hits]
    out: dict[tuple[str, int], float] = {}
    for kind, idx, start, size in hits:
        inner = any(a <= start and start + size <= b and (b - a) > size for a, b in spans)
        c = INNER_HIT if inner else base
        key = (kind, idx)
        out[key] = max(out.get(key, 0.0), c) if key not in out else min(0.98, max(out[key], c) + 0.03)
    return out


def suggest_tags(
    title: str,
    description: str = "",
    k_skills: int = 5,
    k_causes: int = 3,
    min_confidence: float = 0.3,
    vocab: Vocabulary | None = None,
) -> list[TagSuggestion]:
    """Ranked suggestions (best first) of skills and causes for a role, each with a confidence 0..1."""
    vocab = vocab or default_vocabulary()
    m = _model(vocab)
    conf: dict[tuple[str, int], float] = {}
    for key, c in _exact_hits(vocab, description, TEXT_HIT).items():
        conf[key] = max(conf.get(key, 0.0), c)
    for key, c in _exact_hits(vocab, title, TITLE_HIT).items():
        conf[key] = max(conf.get(key, 0.0), c)
    for i, s in vocab.skill_strengths_from_text(title).items():
        if s < 1.0:  # a near miss (typo) in the title
            conf[("skill", i)] = max(conf.get(("skill", i), 0.0), 0.8 * s)
    q = m.vec.transform([f"{title} {title} {description}"])
    sims = np.asarray((m.M @ q.T).todense()).ravel()
    for j in np.flatnonzero(sims > 0.05):
        key = m.items[j]
        t = float(min(0.7, sims[j] * 1.4))
        prev = conf.get(key, 0.0)
        conf[key] = min(0.99, prev + 0.1 * t) if prev else t
    out_s, out_c = [], []
    for (kind, i), c in conf.items():
        if c < min_confidence:
            continue
        if kind == "skill":
            out_s.append(TagSuggestion("skill", vocab.skill_ids[i], vocab.skill_labels[i], round(c, 3)))
        else:
            out_c.append(TagSuggestion("cause", vocab.cause_ids[i], vocab.cause_labels[i], round(c, 3)))

    def best_first(t: TagSuggestion) -> tuple[float, str]:
        return (-t.confidence, t.id)

    out_s.sort(key=best_first)
    out_c.sort(key=best_first)
    return sorted(out_s[:k_skills] + out_c[:k_causes], key=best_first)
