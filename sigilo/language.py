"""Language detection for short Spanish / Portuguese / English chat messages.

No model, no network, no Rasa: a small additive score per language built from

* distinctive words, including the way people type on Messenger and WhatsApp
  ("vc", "nao", "obg", "xq", "tmb", "pls", "u", "ur");
* character cues ("ç", "ã", "ção", "lh", "nh" -> pt; "ñ", "¿", "ción", initial "ll" -> es;
  "th", "w", "-ing" -> en).

Words shared by Spanish and Portuguese ("que", "de", "a", "o", "no", "por", "para")
carry no weight, so a message is only attributed when it contains something
that tells the languages apart.

French and German are scored too, as decoys: a message that looks more like one of
them than like es/pt/en gives ``None`` rather than a wrong guess. Other languages have
no table: they usually give ``None`` too, and otherwise a low confidence (Italian
"buongiorno, vorrei pagare la fattura" -> pt, 0.36), so callers should only act on a
guess above a threshold (0.5 is a good default).

Confidence: ``(2 * share - 1) * (1 - exp(-best / 1.5))`` where ``share`` is the best
score over best + runner-up. One clear word ("hola", "oi", "hi") gives 0.87, a
full sentence 0.95 or more, a weak hint ("si", "informacao") about 0.5.

``detect_language`` returns ``None`` when it cannot tell: no letters ("123", emoji,
a bare tax id or card number), button payloads ("/greet"), words that every language
shares ("ok", "no", "menu"), or too close a call.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["SUPPORTED_LANGUAGES", "LanguageGuess", "detect_language", "language_scores"]

SUPPORTED_LANGUAGES: tuple[str, ...] = ("es", "pt", "en")
_DECOYS: tuple[str, ...] = ("fr", "de")

# Below this total evidence for the best language, we do not guess.
_MIN_EVIDENCE = 1.0
# The best language must hold at least this share of (best + runner-up).
_MIN_SHARE = 0.6
# Evidence scale of the confidence: confidence grows as 1 - exp(-score / scale).
_EVIDENCE_SCALE = 1.5
# Only the beginning of long messages is looked at.
_MAX_CHARS = 500


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """A detected language code (``es``, ``pt`` or ``en``) and a confidence in [0, 1]."""

    language: str
    confidence: float


def _words(weight: float, text: str) -> dict[str, float]:
    return dict.fromkeys(text.split(), weight)


def _table(*parts: dict[str, float]) -> dict[str, float]:
    merged: dict[str, float] = {}
    for part in parts:
        merged.update(part)
    return merged


# --- word weights ----------------------------------------------------------------------
# 3.0: almost proof (greetings, thanks, negations unique to a language)
# 2.0: clearly one language
# 1.0: usually one language, sometimes another
# 0.5: a hint

_PT = _table(
    _words(
        1.0,
        "os e do da dos das na nas ao aos à às um uns ou sua seu suas seus ele ela eles "
        "elas isso isto esse essa aí ai lá pelo pela pelos pelas mais "
        "bom boa noite hoje agora ainda sempre coisa gente sei "
        "tem ter tá ta pode posso quer preciso fazer faz falar ficar sou "
        "qual quais quem quando onde depois outra outro outras outros mesmo",
    ),
    _words(
        2.0,
        "em você voce vc vcs vocês voces nós meu minha meus minhas pra pro pros "
        "quero queria gostaria tenho estou estava estão estao tô já "
        "com sem também tambem tb muito muita muitos bem melhor ninguém ninguem "
        "alguém alguem então entao porquê né pq sim é são sao "
        "fatura faturas boleto boletos cartão cartao conta contas pagamento dados "
        "ajuda atendente atendimento língua lingua falo fala "
        "amanhã amanha até ate tudo beleza blz flw falou xau "
        "opa eai salve obgd brigado brigada grato grata "
        "pfv pf qro tbm mto mt msm fazendo apagar excluir quanto devo "
        "concordo aceito recuso revogar consentimento privacidade termos "
        "mudar muda trocar troca alterar escolher deixa esquece "
        "adeus vou exato certo correto bora nops nem alguma aceitar acordo permissao "
        "permissão recusar rejeito arrependi extrato divida dívida pessoa verdade "
        "início comecar começar novo voltar selecionar preferência disponiveis "
        "disponíveis sair chega mudei ideia daqui interromper recomenda eae "
        "exatamente consinto brigadu receita português inglês espanhol",
    ),
    _words(1.0, "ei boas fechado errado termo débitos sac mostra pare sai série desisto"),
    _words(3.0, "não nao naum oi oie olá obrigado obrigada obg vlw valeu tchau uhum aham"),
)
_PT["to"] = 0.5  # "tô" typed without the accent; en "to" weighs more

_ES = _table(
    _words(
        1.0,
        "el los las lo del al un una unos unas en es son su sus ese esa eso "
        "esto este ahí allí hoy ahora siempre día noche pago vale "
        "tiene tener puede puedo quiere hacer soy eres "
        "cual cuál cuales quien quién cuando cuándo donde dónde otra otro mismo "
        "tal nadie pues bueno buena",
    ),
    _words(
        2.0,
        "mi mis yo usted ustedes ud uds vos tú quiero quisiera gustaría gustaria "
        "tengo estoy estás están estan hay muy mucho mucha muchos muchas "
        "con sin también tambien tmb pero porq xq bien mejor "
        "factura facturas recibo tarjeta cuenta datos ayuda "
        "mañana manana hasta chao chau sí dale "
        "buenas buenos buen qué cómo cuánto cuanto necesito puedes podría "
        "xfa porfa pfa ayúdame ayudame borrar eliminar debo acepto "
        "rechazo revocar consentimiento privacidad términos terminos condiciones "
        "hablar español inglés portugués nosotros ellos ella él "
        "cambiar cambia cambio elegir olvida deja dejalo déjalo "
        "saludo saludos vemos voy vamos cuidate chaito despido listo sip supuesto "
        "correcto exacto exactamente perfecto okey simon sisi nel incorrecto broma "
        "tampoco ninguna ninguno creo manera permiso consiento aceptar concedido "
        "niego decirlo acceso mia reglas recibos abonar kiero asesor ejecutivo menú "
        "empezar comenzar nuevo haces servicios ofrecen volver reiniciar ayudas "
        "hablas seleccionar lenguaje preferencia cancelalo salir detener abortar "
        "cambie sigas dejemoslo gracais grasias agradece cuentame chiste vuelo pon "
        "tienes novia divertido receta detente gracioso recomiendame libro reservame",
    ),
    _words(1.0, "inicio basta"),
    _words(2.0, "espanol castellano"),
    _words(3.0, "hola gracias grax grcs holi wenas adiós adios olvidalo olvídalo"),
)
_ES["pq"] = 0.5  # mostly pt, sometimes es

_EN = _table(
    _words(
        1.0,
        "an in on at of for from by be been were will would should could "
        "can do does did done have has had get got go going just all any some every "
        "there here now then when where who which why how one two first last "
        "good great nice cool sure right new old more less out up down data",
    ),
    _words(
        2.0,
        "the and is are am i i'm im my mine you u your ur yours we our they their "
        "this that these those what with without want wanna gonna need please pls plz "
        "pay bill bills invoice invoices card payment delete erase talk speak "
        "agent human help language change stop cancel yes yeah yep nope not don't "
        "dont can't cant won't doesn't isn't it it's its know about show see tell "
        "privacy terms consent agree accept refuse withdraw revoke "
        "morning afternoon evening night today tomorrow bye goodbye later "
        "greetings cya farewell yup correct exactly absolutely definitely alright "
        "indeed nah wrong agreed decline permission reject forget agreement main "
        "start back languages never mind quit nvm much appreciated tnx grateful "
        "recommend movie latest news heya yea accepted again switch settings weather joke "
        "english spanish portuguese helo",
    ),
    _words(
        1.0,
        "sup take care peace way sir negative request access conditions operator call "
        "center contact support representative options over restart home features "
        "open abort exit skip write order read lang function game",
    ),
    _words(3.0, "hi hello hey hiya thanks thank thx ty tysm cheers ttyl"),
)
_EN["to"] = 1.5

_FR = _table(
    _words(
        1.0,
        "le les des du un une et est dans pour avec sur pas mais où au aux ce "
        "cette ces il elle ils nous vous je j mon ma sa qui quoi comment",
    ),
    _words(
        2.0,
        "suis êtes sont avoir être fait faire voudrais veux peux pouvez merci "
        "bonjour bonsoir salut oui non très facture payer données parler "
        "aujourd hui demain s'il plaît plait svp c'est j'ai "
        "pourquoi parce beaucoup aussi rien toujours jamais",
    ),
)

_DE = _table(
    _words(
        1.0,
        "der die das den dem des ein eine einen und ist sind zu mit auf für von "
        "er sie wir ihr mein meine dein nein auch nur noch schon",
    ),
    _words(
        2.0,
        "ich nicht bitte danke hallo guten tag morgen möchte moechte kann können "
        "rechnung bezahlen daten sprechen deutsch wie wo warum heute gibt "
        "haben habe bin bist wird werden mich mir dich dir",
    ),
)

_WORDS: dict[str, dict[str, float]] = {
    "pt": _PT,
    "es": _ES,
    "en": _EN,
    "fr": _FR,
    "de": _DE,
}

# Everyday words of several languages: no weight anywhere, whatever the tables say.
_NEUTRAL = frozenset(
    _words(
        0.0,
        "que q de a o no por para se me te tu ya ja ok oky okay menu sms pix ah eh oh uh "
        "hum hmm mm si la esta está dia ver dar tarde nada algo porque nunca aqui "
        "tipo antes usar idioma autorizo ingles info",
    )
)
for _table_words in _WORDS.values():
    for _w in _NEUTRAL:
        _table_words.pop(_w, None)

# Neutral-looking words that still lean one way.
_PT["o"] = 0.5  # article; "o" means "or" in es and is rare in chat
_PT["e"] = 0.7  # "and"
_ES["la"] = 0.7  # pt writes "lá" (chat: "deixa pra la")
_ES["si"] = 1.0  # pt writes "sim"
_ES["y"] = 1.0  # "and"; en "y" (yes) is rarer
_EN["y"] = 0.3

# --- character cues --------------------------------------------------------------------
# (regex, weight) applied to each word; every match adds the weight once per word.

_CUES: dict[str, tuple[tuple[re.Pattern[str], float], ...]] = {
    "pt": (
        (re.compile(r"[ãõ]"), 2.0),
        (re.compile(r"ç"), 1.5),
        (re.compile(r"(?:ção|ções|cao|coes)$"), 1.0),
        (re.compile(r"[ê]"), 0.7),
        (re.compile(r"[ô]"), 0.7),
        (re.compile(r"\w(?:nh|lh)"), 1.0),
        (re.compile(r"(?:inho|inha|zinho|zinha)$"), 0.7),
        (re.compile(r"^k{3,}$"), 1.5),
        (re.compile(r"^(?:rs){2,}$"), 1.5),
    ),
    "es": (
        (re.compile(r"ñ"), 2.0),
        (re.compile(r"(?:ción|ciones|cion)$"), 1.0),
        (re.compile(r"^ll"), 1.0),
        (re.compile(r"\wll"), 0.3),
        (re.compile(r"[^aeiouqg](?:ie|ue)[a-zñ]"), 0.4),
        (re.compile(r"(?:dad|dades)$"), 0.7),
        (re.compile(r"^(?:ja){2,}j?$"), 1.5),
        (re.compile(r"^(?:je){2,}$"), 1.0),
    ),
    "en": (
        (re.compile(r"th"), 1.0),
        (re.compile(r"w[aeiouh]|[aeo]w"), 0.7),
        (re.compile(r"\wing$"), 1.0),
        (re.compile(r"\wtion$"), 0.7),
        (re.compile(r"[^aeiouy]y$"), 0.5),
        (re.compile(r"sh"), 0.5),
        (re.compile(r"^(?:ha){2,}h?$|^lol$|^lmao$"), 1.0),
    ),
    "fr": (
        (re.compile(r"[èëïœ]"), 2.0),
        (re.compile(r"(?:eau|eaux)$"), 1.0),
    ),
    "de": (
        (re.compile(r"[äöüß]"), 2.0),
        (re.compile(r"sch"), 1.0),
    ),
}

# Marks attached to the whole text.
_TEXT_CUES: dict[str, tuple[tuple[re.Pattern[str], float], ...]] = {
    "es": ((re.compile(r"[¿¡]"), 2.0),),
}

_URL_OR_EMAIL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+")
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W\d_]+)?")
_HAS_DIGIT = re.compile(r"\d")
_REPEATS = re.compile(r"(.)\1+")
_LANGS = SUPPORTED_LANGUAGES + _DECOYS


def _tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text[:_MAX_CHARS]).lower().replace("\u2019", "'")
    text = _URL_OR_EMAIL.sub(" ", text)
    return [t for t in _TOKEN.findall(text) if not _HAS_DIGIT.search(t)]


@functools.lru_cache(maxsize=8192)
def _token_scores(token: str) -> tuple[float, ...]:
    """Evidence one word gives each language of ``_LANGS`` (words repeat: cached)."""
    squeezed = _REPEATS.sub(r"\1", token) if len(token) > 2 else token
    head, apostrophe, tail = token.partition("'")
    out = []
    for lang in _LANGS:
        words = _WORDS[lang]
        weight = words.get(token)
        if weight is None:
            # "holaa", "oiii", "thankss": retry with repeated letters squeezed
            weight = words.get(squeezed)
        if weight is None and apostrophe:
            # "don't" / "j'ai": try both halves
            weight = words.get(head, 0.0) + words.get(tail, 0.0)
        total = weight or 0.0
        if len(token) > 1:
            for pattern, cue_weight in _CUES[lang]:
                if pattern.search(token):
                    total += cue_weight
        out.append(total)
    return tuple(out)


def language_scores(text: str) -> dict[str, float]:
    """Raw evidence per language (es, pt, en and the fr/de decoys); for debugging."""
    totals = [0.0] * len(_LANGS)
    tokens: list[str] = []
    if text and not text.lstrip().startswith("/"):
        tokens = _tokens(text)
        for token in tokens:
            for i, weight in enumerate(_token_scores(token)):
                totals[i] += weight
        if tokens:
            for i, lang in enumerate(_LANGS):
                for pattern, cue_weight in _TEXT_CUES.get(lang, ()):
                    if pattern.search(text):
                        totals[i] += cue_weight
    scores = dict(zip(_LANGS, totals, strict=True))
    if scores["pt"] or scores["es"]:
        # Two-word expressions that are clearer than their words.
        joined = " ".join(tokens)
        if "tudo bem" in joined or "tudo bom" in joined:
            scores["pt"] += 2.0
        if "por favor" in joined:  # es and pt alike: no signal, but not en
            scores["en"] = max(0.0, scores["en"] - 1.0)
    return scores


def detect_language(text: str) -> LanguageGuess | None:
    """Guess whether ``text`` is Spanish, Portuguese or English.

    Returns ``None`` when the text gives no usable evidence (digits, emoji, payloads,
    words shared by the languages), when the call is too close, or when the text
    looks more like French or German.
    """
    if not text:
        return None
    scores = language_scores(text)
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < _MIN_EVIDENCE or best not in SUPPORTED_LANGUAGES:
        return None
    share = top / (top + second)
    if share < _MIN_SHARE:
        return None
    # share in [0.6, 1] -> [0.2, 1]; evidence 1 -> 0.49, 3 -> 0.86, 5 -> 0.96
    confidence = (2.0 * share - 1.0) * (1.0 - math.exp(-top / _EVIDENCE_SCALE))
    return LanguageGuess(best, round(confidence, 3))
