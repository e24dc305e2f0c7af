"""Context words in Spanish, Portuguese and English, found in one pass.

Some numbers are only sensitive because of what surrounds them: a bare nine-digit
number is a Portuguese NIF only when the message talks about a NIF, three digits are a
security code only after "cvv". The words of the message are read once (one regex
pass, then dictionary look-ups); detectors then ask whether a word of a family is near
a candidate.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

CARD = "card"
CVV = "cvv"
EXPIRY = "expiry"
EXPIRY_WEAK = "expiry_weak"
TAX = "tax"
PHONE = "phone"
PHONE_AFTER = "phone_after"
NEGATIVE = "negative"
PASSWORD = "password"

# Phrases per family, written without accents (text words are folded the same way).
_FAMILIES: dict[str, tuple[str, ...]] = {
    CARD: (
        "card", "cards", "credit card", "debit card", "cartao", "cartoes", "tarjeta",
        "tarjetas", "credito", "debito", "visa", "mastercard", "master card", "amex",
        "american express", "elo", "hipercard", "maestro", "diners", "discover", "jcb",
    ),
    CVV: (
        "cvv", "cvc", "cid", "csc", "cvn", "security code", "card security code",
        "card verification code", "verification code", "codigo de seguranca",
        "codigo seguranca", "cod seguranca", "cod de seguranca", "cod seg",
        "codigo de seguridad", "codigo seguridad", "cod seguridad", "codigo de verificacao",
        "codigo verificador", "codigo de verificacion", "codigo de tras",
        "digitos de seguranca",
    ),
    EXPIRY: (
        "exp", "expiry", "expiration", "expiration date", "expires", "expira", "expiracao",
        "expiracion", "validade", "validez", "valid", "valido", "valida", "valid thru",
        "valid through", "valid until", "valido ate", "valido hasta", "caducidad", "caduca",
        "mm aa", "mm aaaa", "mm yy", "mm yyyy",
    ),
    # Also said of invoice due dates, so these count only when a card is in the message.
    EXPIRY_WEAK: ("vencimiento", "vencimento", "venc", "vence", "vto"),
    TAX: (
        "cpf", "cnpj", "nif", "dni", "nie", "cif", "cuit", "cuil", "rut", "rfc",
        "codice fiscale", "codigo fiscal", "ssn", "social security", "social security number",
        "tax id", "taxid", "tax number", "tax identification", "tax identification number",
        "taxpayer", "tin", "documento", "doc", "identidade", "identificacao fiscal",
        "identificacion", "identificacion fiscal", "identificacion tributaria", "contribuinte",
        "contribuyente", "cedula", "numero fiscal", "registro federal",
    ),
    PHONE: (
        "phone", "telephone", "tel", "tlf", "tfno", "telefono", "telefone", "fone", "celular",
        "cel", "movil", "mobile", "cell", "cellphone", "whatsapp", "whats app", "whats", "wpp",
        "zap", "fax", "desk", "call", "call me", "ring", "text me", "sms", "ligar", "ligue",
        "liga", "llamar", "llamame", "llama", "contacto", "contato", "message", "messages",
        "mensagem", "mensagens", "mensaje", "mensajes", "answering", "reach me", "ramal",
    ),
    PHONE_AFTER: ("office", "mobile", "fax", "home", "work", "cell", "celular", "fixo"),
    NEGATIVE: (
        "order", "orders", "pedido", "pedidos", "orden", "protocol", "protocolo", "ticket",
        "tracking", "rastreio", "rastreamento", "seguimiento", "invoice", "invoices",
        "factura", "facturas", "fatura", "faturas", "nota fiscal", "boleto", "reserva",
        "booking", "ref", "reference", "referencia", "chamado", "recibo", "receipt",
        "codigo de barras", "barcode", "guia", "envio", "shipment", "parcel", "package",
        "sku", "lote", "batch", "serial",
    ),
    PASSWORD: (
        "password", "passwd", "pwd", "pass", "passcode", "senha", "contrasena", "clave",
        "palavra passe", "pin",
    ),
}  # fmt: skip

# Accents folded away so that "cartão", "cartao" and "CARTÃO" are one word.
_FOLD_TO = dict(zip("áàâãäåéèêëíìîïóòôõöúùûüçñ", "aaaaaaeeeeiiiiooooouuuucn", strict=True))


_ACCENTED = frozenset("áàâãäåéèêëíìîïóòôõöúùûüçñ")


def fold(word: str) -> str:
    """Lower-cases ``word`` and removes the accents used in es/pt."""
    lower = word.lower()
    if lower.isascii():
        return lower
    # translate() looks every character up in Python; a message has few distinct
    # accented letters, and str.replace runs in C.
    for ch in _ACCENTED.intersection(lower):
        lower = lower.replace(ch, _FOLD_TO[ch])
    return lower


def _trie_pattern(words: list[str]) -> str:
    """An alternation with shared prefixes factored out ("car(?:d|tao)"), which the
    regex engine scans much faster than a flat list of words."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        ends = "" in node
        alts = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and len(alts[0]) == 1 else f"(?:{'|'.join(alts)})"
        return body + "?" if ends else body

    return build(trie)


def _phrase_table() -> dict[str, list[tuple[re.Pattern[str] | None, str, str]]]:
    """First word -> [(pattern for the other words, family, phrase)], longest first."""
    table: dict[str, list[tuple[int, re.Pattern[str] | None, str, str]]] = {}
    for family, phrases in _FAMILIES.items():
        for phrase in phrases:
            first, *rest = phrase.split()
            # The other words follow with only spaces or punctuation between them.
            tail = (
                re.compile("".join(rf"[^\w]+{re.escape(w)}" for w in rest) + r"\b")
                if rest
                else None
            )
            table.setdefault(first, []).append((len(rest), tail, family, phrase))
    return {
        word: [
            (tail, family, phrase) for _n, tail, family, phrase in sorted(v, key=lambda e: -e[0])
        ]
        for word, v in table.items()
    }


_PHRASES = _phrase_table()
# First words that are whole phrases in all their families: (family, phrase) each once.
_SIMPLE: dict[str, tuple[tuple[str, str], ...]] = {
    word: tuple({family: (family, phrase) for _t, family, phrase in reversed(v)}.values())
    for word, v in _PHRASES.items()
    if all(tail is None for tail, _f, _p in v)
}
# Matches the first word of any phrase ending at a word boundary. The boundary before
# it is checked in Python: a pattern that opens with \b is tried at every position,
# one that opens with its words' first letters is skipped over the other characters.
# A match inside a word ends where that word ends, so it hides no real one.
_FIRST_WORD_RE = re.compile("(?:" + _trie_pattern(sorted(_PHRASES)) + r")\b")


# The first words of the password phrases alone: a cheap test that a text cannot hold a
# password (no ContextIndex needed).
_PASSWORD_FIRST_RE = re.compile(
    r"\b(?:" + _trie_pattern(sorted({p.split()[0] for p in _FAMILIES[PASSWORD]})) + r")\b"
)


def _folded(text: str) -> str:
    folded = fold(text)
    if len(folded) != len(text):  # a rare letter whose lower case is longer ("İ")
        folded = "".join(fold(ch)[:1] or " " for ch in text)
    return folded


def may_mention_password(text: str) -> bool:
    """Whether ``text`` has the first word of a password phrase (a superset of the
    password words that :class:`ContextIndex` finds)."""
    return _PASSWORD_FIRST_RE.search(_folded(text)) is not None


class ContextIndex:
    """Positions of the context words of one (normalised) text, by family."""

    __slots__ = ("_hits",)

    # family -> (starts, ends, phrases), in text order; starts and ends both ascend.
    _hits: dict[str, tuple[list[int], list[int], list[str]]]

    def __init__(self, text: str) -> None:
        hits: dict[str, tuple[list[int], list[int], list[str]]] = {}
        folded = _folded(text)
        for m in _FIRST_WORD_RE.finditer(folded):
            start, end = m.span()
            if start and (folded[start - 1].isalnum() or folded[start - 1] == "_"):
                continue  # inside a word (\w is alphanumeric or "_")
            word = m.group()
            simple = _SIMPLE.get(word)
            if simple is not None:
                for family, phrase in simple:
                    _add(hits, family, start, end, phrase)
                continue
            seen: set[str] = set()
            for tail, family, phrase in _PHRASES[word]:
                if family in seen:
                    continue
                if tail is None:
                    stop = end
                else:
                    more = tail.match(folded, end)
                    if more is None:
                        continue
                    stop = more.end()
                seen.add(family)  # the longest phrase of a family wins
                _add(hits, family, start, stop, phrase)
        self._hits = hits

    def has(self, family: str) -> bool:
        """Whether any word of ``family`` occurs in the text."""
        return family in self._hits

    def words(self, family: str) -> list[tuple[int, int, str]]:
        """All ``(start, end, phrase)`` hits of ``family``, in text order."""
        h = self._hits.get(family)
        return list(zip(*h, strict=True)) if h is not None else []

    def before(self, family: str, pos: int, window: int) -> str | None:
        """The nearest phrase of ``family`` ending in ``[pos - window, pos]``, if any."""
        h = self._hits.get(family)
        if h is None:
            return None
        ends = h[1]
        i = bisect_right(ends, pos) - 1
        if i >= 0 and ends[i] >= pos - window:
            return h[2][i]
        return None

    def before_end(self, family: str, pos: int, window: int) -> int:
        """End of the nearest phrase of ``family`` ending in ``[pos - window, pos]``, or -1."""
        h = self._hits.get(family)
        if h is None:
            return -1
        ends = h[1]
        i = bisect_right(ends, pos) - 1
        if i >= 0 and ends[i] >= pos - window:
            return ends[i]
        return -1

    def after(self, family: str, pos: int, window: int) -> str | None:
        """The nearest phrase of ``family`` starting in ``[pos, pos + window]``, if any."""
        h = self._hits.get(family)
        if h is None:
            return None
        starts = h[0]
        i = bisect_left(starts, pos)
        if i < len(starts) and starts[i] <= pos + window:
            return h[2][i]
        return None

    def after_start(self, family: str, pos: int, window: int) -> int:
        """Start of the nearest phrase of ``family`` starting in ``[pos, pos + window]``, or -1."""
        h = self._hits.get(family)
        if h is None:
            return -1
        starts = h[0]
        i = bisect_left(starts, pos)
        if i < len(starts) and starts[i] <= pos + window:
            return starts[i]
        return -1

    def near(self, family: str, start: int, end: int, before: int, after: int) -> str | None:
        """A phrase of ``family`` just before ``start`` or just after ``end``."""
        return self.before(family, start, before) or self.after(family, end, after)


def _add(
    hits: dict[str, tuple[list[int], list[int], list[str]]],
    family: str,
    start: int,
    end: int,
    phrase: str,
) -> None:
    h = hits.get(family)
    if h is None:
        hits[family] = ([start], [end], [phrase])
    else:
        h[0].append(start)
        h[1].append(end)
        h[2].append(phrase)
