"""Tokenise issue text, paths and code for lexical retrieval.

Identifiers are split at camelCase humps, underscores, dashes, dots and slashes,
and both the parts and the joined word are kept (``parseConfig`` gives
``parseconfig``, ``parse`` and ``config``), so a query for "parse config" and a
query for ``parse_config`` reach the same file. Words are lower-cased, English
stop words dropped, and stemmed with the Snowball English stemmer.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[_\-.][A-Za-z0-9]+)*|[0-9]+")
_HUMP = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_SEPARATOR = re.compile(r"[_\-.]")
_STOP = frozenset(
    """a an and are as at be but by can could do does for from has have how i if in into is it its may me
    my no not of on or our should so than that the their then there these they this to was we were what when
    where which while who why will with would you your also use using used get set new one two all any
    some such via only just like need needs make makes please e g eg ie etc""".split()
)
# Path parts that carry no meaning for retrieval.
_PATH_NOISE = frozenset({"src", "lib", "pkg", "internal", "main", "index", "init", "py", "go", "js", "ts", "md",
                         "tsx", "jsx", "rs", "java", "txt", "json", "yml", "yaml", "toml"})
_STEMMER = Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def split_identifier(word: str) -> list[str]:
    """Split ``HTTPServer_config-v2`` into ``http``, ``server``, ``config``, ``v``, ``2``."""
    parts: list[str] = []
    for chunk in _SEPARATOR.split(word):
        parts.extend(piece.lower() for piece in _HUMP.findall(chunk))
    return parts


@lru_cache(maxsize=100_000)
def tokenize_cached(text: str) -> tuple[str, ...]:
    """``tokenize`` for texts that recur (change-set texts and titles), memoised."""
    return tuple(tokenize(text))


def tokenize(text: str, max_chars: int = 20_000) -> list[str]:
    """Tokens for BM25: identifier parts plus joined identifiers, stemmed, no stop words."""
    tokens: list[str] = []
    for match in _WORD.finditer(text[:max_chars]):
        word = match.group(0)
        parts = split_identifier(word)
        if len(parts) > 1:
            joined = "".join(parts)
            if len(joined) > 2:
                tokens.append(_stem(joined))
        for part in parts:
            if len(part) > 1 and part not in _STOP:
                tokens.append(_stem(part))
    return tokens


@lru_cache(maxsize=200_000)
def path_tokens(path: str) -> tuple[str, ...]:
    """Tokens of a file path; folder and file names count, extensions and ``src`` do not."""
    tokens: list[str] = []
    for segment in path.split("/"):
        stem = segment.rsplit(".", 1)[0] if "." in segment[1:] else segment
        parts = split_identifier(stem)
        if len(parts) > 1:
            tokens.append(_stem("".join(parts)))
        tokens.extend(_stem(p) for p in parts if len(p) > 1 and p not in _PATH_NOISE and p not in _STOP)
    return tuple(tokens)
