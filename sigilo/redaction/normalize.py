"""Unicode normalisation with an index map back to the original text.

Detection runs on a normalised copy of the message so that full-width digits, Arabic
digits or zero-width characters cannot hide a number; findings must still point at the
original string, so every normalised character remembers where it came from.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

# Characters that people (or attackers) put between digits without meaning anything:
# zero-width spaces and joiners, the soft hyphen, the word joiner and the BOM.
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
# Dashes that NFKC leaves alone but that users type as number separators.
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")


_ASCII = frozenset(map(chr, range(128)))


class Normalized(NamedTuple):
    """A normalised text and, for each of its characters, the original index.

    Attributes:
        text: the normalised text (NFKC, ASCII digits and dashes, invisibles removed).
        src: ``src[i]`` is the index in the original of the character that produced
            ``text[i]``; ``None`` when the text was already normal (identity map).
        original_length: length of the original string.
    """

    text: str
    src: list[int] | None
    original_length: int

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Maps a ``[start, end)`` span of the normalised text to the original text."""
        if self.src is None:
            return start, end
        if start >= end:
            pos = self.src[start] if start < len(self.src) else self.original_length
            return pos, pos
        return self.src[start], self.src[end - 1] + 1


@functools.lru_cache(maxsize=8192)
def _normalize_char(ch: str) -> str:
    if ch in _INVISIBLE:
        return ""
    if ch in _DASHES:
        return "-"
    out = unicodedata.normalize("NFKC", ch)
    if out.isascii():
        return out
    # NFKC keeps Arabic-Indic, Devanagari, ... digits: fold every decimal digit to ASCII.
    return "".join(
        str(unicodedata.decimal(c))
        if unicodedata.decimal(c, None) is not None
        else ("-" if c in _DASHES else ("" if c in _INVISIBLE else c))
        for c in out
    )


def _changing_pattern() -> re.Pattern[str]:
    """Any character outside Latin-1, or a Latin-1 one that normalisation changes.

    Spanish and Portuguese text is mostly ASCII and Latin-1 letters that stay as they
    are: one scan for this class proves a text already normal.
    """
    latin1 = "".join(c for c in map(chr, range(128, 256)) if _normalize_char(c) != c)
    return re.compile("[" + re.escape(latin1) + "\u0100-\U0010ffff]")


_CHANGING_RE = _changing_pattern()


def is_normal(text: str) -> bool:
    """Whether :func:`normalize` would return ``text`` unchanged (a quick, exact test
    for ASCII and Latin-1 text; other text may get ``False`` and still be normal)."""
    return text.isascii() or _CHANGING_RE.search(text) is None


def normalize(text: str) -> Normalized:
    """Normalises ``text`` character by character, keeping an index map.

    Args:
        text: the original message.

    Returns:
        The normalised text with its map back to ``text``.
    """
    if is_normal(text):
        return Normalized(text, None, len(text))
    # Work per distinct character (set() and str.replace() run in C): chat messages and
    # megabyte inputs alike have few distinct non-ASCII characters.
    table: dict[int, str] = {}
    resized: list[str] = []
    for ch in set(text).difference(_ASCII):
        out = _normalize_char(ch)
        if out != ch:
            table[ord(ch)] = out
        if len(out) != 1:
            resized.append(ch)
    if not table:
        return Normalized(text, None, len(text))
    # str.replace per distinct character runs in C; translate() would call back into
    # Python for every character of a non-ASCII text.
    normal = text
    for code, out in table.items():
        normal = normal.replace(chr(code), out)
    if not resized:
        # Same length, so the index map is the identity.
        return Normalized(normal, None, len(text))
    src: list[int] = []
    last = 0
    for m in re.finditer("[" + re.escape("".join(resized)) + "]", text):
        i = m.start()
        src.extend(range(last, i))
        src.extend([i] * len(table[ord(text[i])]))
        last = i + 1
    src.extend(range(last, len(text)))
    return Normalized(normal, src, len(text))
