"""Find services by what people type: Hindi, English or romanised Hindi, with typos.

Every word of a service's names, keywords, department and category is reduced to a *phonetic
key*: Devanagari is transliterated (indic-transliteration, ITRANS) and both scripts then go
through the same folding (lower case, aa→a, ee→i, oo→u, w→v, sh→s, ph→f, c→k, repeated letters
once), so "jati praman patra", "jaati pramaan patr" and "जाति प्रमाण-पत्र" meet. A second,
vowel-less *skeleton* key forgives the schwa that Hindi spelling drops ("bijli" / "बिजली" →
"bijali"). Query words match index words exactly, by skeleton, by prefix (while typing) or
fuzzily (rapidfuzz, for typos); a service scores the weighted share of query words it matches,
names weighing more than keywords, keywords more than department and category.

The index lives in process memory, built from one query over the offered services (about
0.35 s for 1,000 services, mostly transliteration; a search then takes 1–2 ms), and is rebuilt
when the catalog's fingerprint (count and latest change) moves — so every worker process sees
an edit on its next search.
"""

from __future__ import annotations

import bisect
import itertools
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

from django.db.models import Count, Max
from indic_transliteration import sanscript
from rapidfuzz import fuzz, process

from emitra.catalog.models import Service, ServiceStatus

NAME: Final = 1.0
KEYWORD: Final = 0.9
DEPARTMENT: Final = 0.55
CATEGORY: Final = 0.5
MIN_SCORE: Final = 0.5
FUZZY_CUTOFF: Final = 78.0

_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_WORD = re.compile(r"[0-9a-z]+")
_FOLDS: Final = (
    ("aa", "a"),
    ("ee", "i"),
    ("ii", "i"),
    ("oo", "u"),
    ("uu", "u"),
    ("w", "v"),
    ("sh", "s"),
    ("ph", "f"),
    ("chh", "ch"),
    ("q", "k"),
    ("x", "ks"),
    ("z", "j"),
)
# Words that say nothing about which service is meant.
STOPWORDS: Final = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "for",
        "to",
        "in",
        "on",
        "by",
        "with",
        "from",
        "or",
        "ka",
        "ki",
        "ke",
        "ko",
        "se",
        "me",
        "mein",
        "hetu",
        "evam",
        "tatha",
        "aur",
        "va",
        "nd",
    ]
)


@lru_cache(maxsize=20_000)
def _romanise(text: str) -> str:
    """Devanagari → ITRANS (anusvara as n/m by the next sound), other text untouched."""
    if not _DEVANAGARI.search(text):
        return text
    itrans = sanscript.transliterate(text, sanscript.DEVANAGARI, sanscript.ITRANS)
    itrans = re.sub(r"M(?=[pbm])", "m", itrans)
    return itrans.replace("M", "n").replace(".N", "n").replace("~N", "n")


@lru_cache(maxsize=50_000)
def phonetic(word: str) -> str:
    """The folded form of one word in either script ("Jaati" → "jati", "पत्र" → "patra")."""
    text = _romanise(word).lower()
    for old, new in _FOLDS:
        text = text.replace(old, new)
    text = re.sub(r"c(?!h)", "k", text)
    return re.sub(r"(.)\1+", r"\1", text)


@lru_cache(maxsize=50_000)
def skeleton(key: str) -> str:
    """Consonants only, first letter kept: "bijali" and "bijli" → "bjl"."""
    return key[:1] + re.sub(r"[aeiouy]", "", key[1:]) if key else ""


def words(text: str) -> list[str]:
    """Phonetic keys of the meaningful words of ``text`` (and of hyphen-joined compounds)."""
    romanised = _romanise(text).lower()
    keys = [phonetic(w) for w in _WORD.findall(romanised)]
    return [k for k in keys if k and k not in STOPWORDS]


@dataclass(frozen=True)
class Doc:
    code: str
    department: str
    service_type: str
    category: str
    channels: frozenset[str]
    name_en: str
    name_words: int = 1  # fewer words: the more specific name wins a tie


@dataclass(frozen=True)
class Hit:
    code: str
    score: float


@dataclass
class Index:
    """An inverted index over phonetic keys; cheap to build, read-only once built."""

    docs: list[Doc] = field(default_factory=list)
    postings: dict[str, dict[int, float]] = field(default_factory=dict)
    vocabulary: list[str] = field(default_factory=list)  # sorted, for prefix search
    by_skeleton: dict[str, list[str]] = field(default_factory=dict)
    fingerprint: tuple[object, ...] = ()

    @classmethod
    def build(cls, entries: Iterable[tuple[Doc, Sequence[tuple[str, float]]]]) -> Index:
        """``entries``: each service with (text, weight) pairs to index."""
        index = cls()
        postings: dict[str, dict[int, float]] = defaultdict(dict)
        for doc, texts in entries:
            number = len(index.docs)
            index.docs.append(doc)
            for text, weight in texts:
                keys = words(text)
                # "praman-patra" is also typed "pramanpatra": index adjacent pairs joined.
                keys += [a + b for a, b in itertools.pairwise(keys)]
                for key in keys:
                    if postings[key].get(number, 0.0) < weight:
                        postings[key][number] = weight
        index.postings = dict(postings)
        index.vocabulary = sorted(postings)
        skeletons: dict[str, list[str]] = defaultdict(list)
        for key in index.vocabulary:
            if len(key) >= 3:
                skeletons[skeleton(key)].append(key)
        index.by_skeleton = dict(skeletons)
        return index

    def _matches(self, key: str) -> dict[str, float]:
        """Index words that answer for the query word ``key``, with how well (0–1)."""
        found: dict[str, float] = {}
        if key in self.postings:
            found[key] = 1.0
        if len(key) >= 3:
            for other in self.by_skeleton.get(skeleton(key), ()):
                found.setdefault(other, 0.9)
            start = bisect.bisect_left(self.vocabulary, key)
            for other in self.vocabulary[start : start + 50]:
                if not other.startswith(key):
                    break
                found.setdefault(other, 0.85)
        if len(key) >= 4:
            for other, similarity, _i in process.extract(
                key, self.vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=20
            ):
                found.setdefault(other, 0.7 * similarity / 100)
        return found

    def search(
        self,
        query: str,
        *,
        department: str = "",
        service_type: str = "",
        channel: str = "",
        category: str = "",
        limit: int = 20,
    ) -> list[Hit]:
        """Services best matching ``query`` (all matching the filters if it is empty)."""
        allowed = [
            i
            for i, doc in enumerate(self.docs)
            if (not department or doc.department == department)
            and (not service_type or doc.service_type == service_type)
            and (not channel or channel in doc.channels)
            and (not category or doc.category == category)
        ]
        keys = list(dict.fromkeys(words(query[:200])))[:8]
        if not keys:
            return [Hit(self.docs[i].code, 0.0) for i in sorted(allowed, key=self._by_name)][:limit]
        allowed_set = set(allowed)
        scores: dict[int, float] = defaultdict(float)
        for key in keys:
            best: dict[int, float] = {}
            for other, quality in self._matches(key).items():
                for number, weight in self.postings[other].items():
                    value = quality * weight
                    if value > best.get(number, 0.0):
                        best[number] = value
            for number, value in best.items():
                scores[number] += value
        ranked = sorted(
            (
                (score / len(keys), number)
                for number, score in scores.items()
                if number in allowed_set and score / len(keys) >= MIN_SCORE
            ),
            key=lambda pair: (-pair[0], self.docs[pair[1]].name_words, self._by_name(pair[1])),
        )
        return [Hit(self.docs[number].code, round(score, 4)) for score, number in ranked[:limit]]

    def _by_name(self, number: int) -> str:
        return self.docs[number].name_en


def service_entries(
    services: Iterable[Service],
) -> Iterable[tuple[Doc, list[tuple[str, float]]]]:
    for service in services:
        doc = Doc(
            code=service.code,
            department=service.department.code,
            service_type=service.service_type,
            category=service.category.code,
            channels=frozenset(service.channels),
            name_en=service.name_en,
            name_words=min(len(words(service.name_en)), len(words(service.name_hi))) or 1,
        )
        texts = [
            (service.name_en, NAME),
            (service.name_hi, NAME),
            (" ".join(str(k) for k in service.keywords), KEYWORD),
            (service.department.name_en, DEPARTMENT),
            (service.department.name_hi, DEPARTMENT),
            (service.department.code, DEPARTMENT),
            (service.category.name_en, CATEGORY),
            (service.category.name_hi, CATEGORY),
        ]
        yield doc, texts


def _offered() -> list[Service]:
    return list(
        Service.objects.filter(status=ServiceStatus.ACTIVE).select_related("department", "category")
    )


def _fingerprint() -> tuple[object, ...]:
    stats = Service.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    return (stats["n"], stats["last"])


_lock = threading.Lock()
_current: Index | None = None


def index() -> Index:
    """The process's index, rebuilt if the catalog changed since it was built."""
    global _current
    fingerprint = _fingerprint()
    current = _current
    if current is not None and current.fingerprint == fingerprint:
        return current
    with _lock:
        if _current is None or _current.fingerprint != fingerprint:
            built = Index.build(service_entries(_offered()))
            built.fingerprint = fingerprint
            _current = built
        return _current


def invalidate() -> None:
    global _current
    _current = None


def search(
    query: str,
    *,
    department: str = "",
    service_type: str = "",
    channel: str = "",
    category: str = "",
    limit: int = 20,
) -> list[Hit]:
    return index().search(
        query,
        department=department,
        service_type=service_type,
        channel=channel,
        category=category,
        limit=limit,
    )
