"""Seeded generator of labelled chat messages (es/pt/en) for the redaction benchmark.

Every message comes from a template whose slots are filled with generated values; the
gold spans are recorded while the message is assembled. Valid tax ids get their check
digits from python-stdnum; about a third of the messages carry only look-alikes
(Luhn-failing card numbers, order and protocol numbers, amounts, dates, ids with a wrong
check digit), which must survive redaction.

    python bench/make_corpus.py --n 3000 --seed 7 --out bench/out/corpus.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
import string
from collections.abc import Callable
from pathlib import Path

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.ar import cuit
from stdnum.br import cnpj
from stdnum.cl import rut
from stdnum.es import ccc, cif, dni, nie
from stdnum.it import codicefiscale
from stdnum.mx import rfc
from stdnum.pt import nif

Value = tuple[str, str | None]  # (text, entity type or None for a look-alike)

# --- values ----------------------------------------------------------------------------

_CARD_PREFIXES = {
    "visa": (["4"], 16),
    "visa19": (["4"], 19),
    "mastercard": (["51", "52", "53", "54", "55", "2221", "2500", "2720"], 16),
    "amex": (["34", "37"], 15),
    "discover": (["6011", "65", "644"], 16),
    "jcb": (["3528", "3589", "3530"], 16),
    "diners": (["36", "300", "305", "38"], 14),
    "elo": (["636368", "504175", "438935", "451416", "650031"], 16),
    "hipercard": (["606282"], 16),
    "maestro": (["6759", "5018", "5020", "6304"], 16),
}


def _card_digits(rng: random.Random, valid: bool = True) -> tuple[str, str]:
    brand = rng.choice(list(_CARD_PREFIXES))
    prefixes, length = _CARD_PREFIXES[brand]
    body = rng.choice(prefixes)
    body += "".join(rng.choice(string.digits) for _ in range(length - 1 - len(body)))
    check = luhn.calc_check_digit(body)
    if not valid:
        check = str((int(check) + rng.randint(1, 9)) % 10)
    return body + check, brand


def _group_card(rng: random.Random, digits: str) -> str:
    style = rng.random()
    if style < 0.35:
        return digits
    sep = rng.choice([" ", " ", "-", "."])
    if len(digits) == 15:
        return sep.join([digits[:4], digits[4:10], digits[10:]])
    if len(digits) == 14:
        return sep.join([digits[:4], digits[4:10], digits[10:]])
    return sep.join(digits[i : i + 4] for i in range(0, len(digits), 4))


def card(rng: random.Random) -> Value:
    digits, _ = _card_digits(rng)
    return _group_card(rng, digits), "CREDIT_CARD"


def bad_card(rng: random.Random) -> Value:
    digits, _ = _card_digits(rng, valid=False)
    return _group_card(rng, digits), None


def cvv(rng: random.Random) -> Value:
    return "".join(
        rng.choice(string.digits) for _ in range(rng.choice([3, 3, 3, 4]))
    ), "SECURITY_CODE"


def expiry(rng: random.Random) -> Value:
    month = rng.randint(1, 12)
    year = rng.randint(2025, 2034)
    fmt = rng.choice(["{m:02d}/{y2:02d}", "{m:02d}/{y}", "{m}/{y2:02d}", "{m:02d}-{y2:02d}"])
    return fmt.format(m=month, y=year, y2=year % 100), "EXPIRY"


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _cpf_check(base: str) -> str:
    s = sum(int(base[i]) * (10 - i) for i in range(9))
    c1 = (s * 10 % 11) % 10
    s = sum(int((base + str(c1))[i]) * (11 - i) for i in range(10))
    return f"{c1}{(s * 10 % 11) % 10}"


def cpf(rng: random.Random, valid: bool = True) -> str:
    base = _digits(rng, 9)
    check = _cpf_check(base)
    if not valid:
        check = check[0] + str((int(check[1]) + 1) % 10)
    d = base + check
    return d if rng.random() < 0.4 else f"{d[:3]}.{d[3:6]}.{d[6:9]}-{d[9:]}"


def cnpj_value(rng: random.Random) -> str:
    base = _digits(rng, 8) + "0001"
    d = base + cnpj.calc_check_digits(base)
    return d if rng.random() < 0.4 else f"{d[:2]}.{d[2:5]}.{d[5:8]}/{d[8:12]}-{d[12:]}"


def es_dni(rng: random.Random) -> str:
    base = _digits(rng, 8)
    sep = rng.choice(["", "", "-", " "])
    return base + sep + dni.calc_check_digit(base)


def es_nie(rng: random.Random) -> str:
    base = rng.choice("XYZ") + _digits(rng, 7)
    return base + nie.calc_check_digit(base)


def es_cif(rng: random.Random) -> str:
    base = rng.choice("ABEGH") + _digits(rng, 7)
    return base + cif.calc_check_digits(base)[0]


def pt_nif(rng: random.Random) -> str:
    base = rng.choice("125") + _digits(rng, 7)
    d = base + nif.calc_check_digit(base)
    return d if rng.random() < 0.7 else f"{d[:3]} {d[3:6]} {d[6:]}"


_CF_MONTHS = "ABCDEHLMPRST"


def it_cf(rng: random.Random) -> str:
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(6))
    base = (
        letters
        + f"{rng.randint(40, 99):02d}"
        + rng.choice(_CF_MONTHS)
        + f"{rng.randint(1, 28) + rng.choice([0, 40]):02d}"
        + rng.choice("ABCDEFGHILM")
        + f"{rng.randint(1, 999):03d}"
    )
    return base + codicefiscale.calc_check_digit(base)


def ar_cuit(rng: random.Random) -> str:
    while True:
        base = rng.choice(["20", "23", "27", "30"]) + _digits(rng, 8)
        check = cuit.calc_check_digit(base)
        if len(check) == 1:
            break
    d = base + check
    return f"{d[:2]}-{d[2:10]}-{d[10]}" if rng.random() < 0.7 else d


def cl_rut(rng: random.Random) -> str:
    base = str(rng.randint(5_000_000, 25_999_999))
    d = base + rut.calc_check_digit(base)
    if rng.random() < 0.6:
        return f"{int(base):,}".replace(",", ".") + "-" + d[-1]
    return base + "-" + d[-1]


def mx_rfc(rng: random.Random) -> str:
    while True:
        base = (
            "".join(rng.choice("ABCDEFGHIJKLMNOPRSTUVZ") for _ in range(4))
            + f"{rng.randint(50, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(2))
        )
        value = base + rfc.calc_check_digit(base)
        if rfc.is_valid(value, validate_check_digits=True):
            return value


def us_ssn(rng: random.Random) -> str:
    return f"{rng.randint(1, 665):03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


# Tax ids with the context word a person would use (the short ones need it).
_TAX: dict[str, list[tuple[list[str], Callable[[random.Random], str]]]] = {
    "pt": [(["CPF", "cpf", "meu cpf"], cpf), (["CNPJ", "cnpj da empresa"], cnpj_value),
           (["NIF", "contribuinte", "nº de contribuinte"], pt_nif)],
    "es": [(["DNI", "mi dni", "NIF"], es_dni), (["NIE", "mi NIE"], es_nie),
           (["CIF", "CIF de la empresa"], es_cif), (["CUIT", "cuit", "CUIL"], ar_cuit),
           (["RUT", "rut", "mi RUT"], cl_rut), (["RFC", "mi rfc"], mx_rfc)],
    "en": [(["SSN", "social security number"], us_ssn), (["codice fiscale", "tax id"], it_cf),
           (["tax id", "CPF"], cpf)],
}  # fmt: skip


def tax(rng: random.Random, lang: str) -> tuple[str, Value]:
    words, gen = rng.choice(_TAX[lang])
    return rng.choice(words), (gen(rng), "TAX_ID")


def _iban_bban(rng: random.Random, fmt: str) -> str:
    out = []
    for count, kind in re.findall(r"(\d+)!([nac])", fmt):
        pool = {
            "n": string.digits,
            "a": string.ascii_uppercase,
            "c": string.ascii_uppercase + string.digits,
        }[kind]
        out.append("".join(rng.choice(pool) for _ in range(int(count))))
    return "".join(out)


_IBAN_FORMATS = {
    "PT": "4!n4!n11!n2!n", "IT": "1!a5!n5!n12!c", "DE": "8!n10!n", "FR": "5!n5!n11!c2!n",
    "GB": "4!a6!n8!n", "BR": "8!n5!n10!n1!a1!c", "NL": "4!a10!n",
}  # fmt: skip


def iban(rng: random.Random) -> Value:
    country = rng.choice(["ES", "ES", "PT", "IT", "DE", "FR", "GB", "BR", "NL"])
    if country == "ES":
        bank, branch, account = _digits(rng, 4), _digits(rng, 4), _digits(rng, 10)
        bban = bank + branch + ccc.calc_check_digits(bank + branch + "00" + account) + account
    else:
        bban = _iban_bban(rng, _IBAN_FORMATS[country])
    value = country + "00" + bban
    value = country + stdnum_iban.calc_check_digits(value) + bban
    assert stdnum_iban.is_valid(value), value
    if rng.random() < 0.5:
        value = " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    return value, "IBAN"


_FIRST = [
    "joao",
    "maria",
    "ana",
    "pedro",
    "lucia",
    "carlos",
    "sofia",
    "miguel",
    "john",
    "emma",
    "valentina",
    "mateo",
    "camila",
    "rafael",
    "beatriz",
    "diego",
    "jose",
    "fernanda",
]
_LAST = [
    "silva",
    "souza",
    "garcia",
    "martinez",
    "ferreira",
    "lopez",
    "smith",
    "rossi",
    "costa",
    "gonzalez",
    "pereira",
    "rodriguez",
    "alves",
    "santos",
    "fernandez",
]
_DOMAINS = ["gmail.com", "hotmail.com", "outlook.com", "yahoo.es", "uol.com.br", "bol.com.br",
            "empresa.com.mx", "sapo.pt", "libero.it", "icloud.com", "protonmail.com"]  # fmt: skip


def email(rng: random.Random) -> Value:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    local = rng.choice([f"{first}.{last}", f"{first}{last}{rng.randint(1, 99)}", f"{first}_{last}",
                        f"{first[0]}{last}", f"{first}+compras"])  # fmt: skip
    value = f"{local}@{rng.choice(_DOMAINS)}"
    return (value.upper() if rng.random() < 0.05 else value), "EMAIL"


_PHONE_REGIONS = {
    "pt": ["BR", "BR", "PT"],
    "es": ["ES", "MX", "AR", "CL"],
    "en": ["US", "US", "IT"],
}


def phone(rng: random.Random, lang: str) -> Value:
    region = rng.choice(_PHONE_REGIONS[lang])
    example = phonenumbers.example_number_for_type(
        region,
        rng.choice([phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]),
    )
    nsn = str(example.national_number)
    for _ in range(50):  # vary the subscriber digits while the number stays valid
        candidate = nsn[: max(2, len(nsn) - 5)] + _digits(rng, len(nsn) - max(2, len(nsn) - 5))
        number = phonenumbers.parse("+" + str(example.country_code) + candidate)
        if example.italian_leading_zero:
            number.italian_leading_zero = True
        if phonenumbers.is_valid_number(number):
            break
    else:
        number = example
    fmt = rng.choice(["national", "national", "international", "e164", "digits"])
    if fmt == "national":
        value = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    elif fmt == "international":
        value = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    elif fmt == "e164":
        value = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    else:
        value = re.sub(
            r"\D", "", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        )
    return value, "PHONE"


def password(rng: random.Random) -> Value:
    words = ["sol", "Lua", "gato", "Perro", "casa", "Verde", "tigre", "Mar", "luz", "Rio"]
    value = (
        rng.choice(words)
        + rng.choice(words)
        + str(rng.randint(1, 9999))
        + rng.choice(["", "!", "#", "@", "$"])
    )
    if rng.random() < 0.3:
        value = "".join(
            rng.choice(string.ascii_letters + string.digits) for _ in range(rng.randint(8, 14))
        )
    return value, "PASSWORD"


# --- look-alikes (must survive) -----------------------------------------------------------


def order_no(rng: random.Random) -> Value:
    return rng.choice([
        f"#{rng.randint(10000, 999999)}", f"PED-2026-{rng.randint(1, 99999):05d}",
        f"F-2026-{rng.randint(1, 9999):04d}", f"INV-{rng.randint(1, 999999):06d}",
        str(rng.randint(1000000, 99999999)), f"{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
    ]), None  # fmt: skip


def _protocol_digits(rng: random.Random) -> str:
    # The issue makes every Luhn-valid run of 13–19 digits a card ("when in doubt,
    # protect"), so such a run cannot be a look-alike that must survive: redraw it. In
    # real traffic about 1 in 10 protocol numbers of that length pass Luhn and are
    # redacted as [card unknown ••••NNNN] (docs/benchmarks.md says so).
    while True:
        value = "2026" + _digits(rng, rng.choice([8, 10, 12]))
        if not (13 <= len(value) <= 19 and luhn.is_valid(value)):
            return value


def protocol(rng: random.Random) -> Value:
    return rng.choice([
        _protocol_digits(rng),
        f"{rng.randint(2024, 2026)}.{_digits(rng, 4)}.{_digits(rng, 4)}",
        f"{rng.choice(['AA', 'LB', 'NX', 'OY'])}{_digits(rng, 9)}BR", f"TCK-{_digits(rng, 7)}",
    ]), None  # fmt: skip


def amount(rng: random.Random) -> Value:
    whole = rng.randint(1, 250000)
    return rng.choice([
        f"R$ {whole:,}".replace(",", ".") + f",{rng.randint(0, 99):02d}",
        f"${whole:,}.{rng.randint(0, 99):02d}",
        f"{whole},{rng.randint(0, 99):02d} €", f"USD {whole}", f"{whole:,} pesos".replace(",", "."),
    ]), None  # fmt: skip


def date(rng: random.Random) -> Value:
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2020, 2027)
    return rng.choice(
        [f"{d:02d}/{m:02d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{d}/{m}", f"{d:02d}.{m:02d}.{y}"]
    ), None


def bad_tax(rng: random.Random) -> Value:
    while True:
        value = rng.choice(
            [cpf(rng, valid=False), _digits(rng, 8) + "A", "X" + _digits(rng, 7) + "B"]
        )
        if not (dni.is_valid(value) or nie.is_valid(value)):  # a wrong check letter, surely
            return value, None


# --- templates ------------------------------------------------------------------------------

# {slot} names: card, cvv, exp, email, phone, iban, pwd, tax (with {taxword}), and the
# look-alikes order, protocol, amount, date, badcard, badtax.
_POSITIVE = {
    "pt": [
        "Oi, meu cartão é {card} validade {exp} cvv {cvv}",
        "cartao {card} {exp} {cvv}",
        "quero pagar com o cartão {card}, código de segurança {cvv}",
        "o numero do cartao eh {card} e vence {exp}",
        "{taxword}: {tax}",
        "meu {taxword} é {tax}, pode verificar?",
        "segue {taxword} {tax} pra consultar as faturas",
        "meu email é {email}",
        "manda no {email} por favor",
        "pode me ligar no {phone}",
        "meu celular: {phone}",
        "whats {phone} vlw",
        "IBAN para reembolso: {iban}",
        "minha senha é {pwd}",
        "senha: {pwd}",
        "{taxword} {tax} e email {email}",
        "oi td bem? meu {taxword} eh {tax} e o tel {phone}",
        "cartão {card} validade {exp}, cvv {cvv}, meu {taxword} {tax}",
        "Fatura {order} — paguei com {card}? acho q sim",
        "meu cartao {card} cvc {cvv} pedido {order}",
        "validade do cartão {exp}, código de segurança do cartão {cvv}",
    ],
    "es": [
        "Hola, mi tarjeta es {card} vencimiento {exp} cvv {cvv}",
        "tarjeta {card} exp {exp} código de seguridad {cvv}",
        "pago con {card}",
        "{taxword}: {tax}",
        "mi {taxword} es {tax}",
        "te paso mi {taxword} {tax} para la factura {order}",
        "mi correo es {email}",
        "escríbeme a {email} gracias",
        "mi teléfono es {phone}",
        "llámame al {phone}",
        "mi móvil {phone}",
        "IBAN: {iban}",
        "transferí desde la cuenta {iban} el {date}",
        "la contraseña es {pwd}",
        "clave: {pwd}",
        "{taxword} {tax}, correo {email}, tel {phone}",
        "tarjeta {card} {exp} {cvv} porfa",
        "validez {exp} y cvc {cvv}",
        "mi {taxword} es {tax} y el pedido {order} no llegó",
        "vencimiento de la tarjeta {exp} y el código de seguridad {cvv}",
    ],
    "en": [
        "Hi, my card number is {card}, exp {exp}, cvv {cvv}",
        "card {card} {exp} {cvv}",
        "pay with {card} please",
        "security code is {cvv}",
        "my {taxword} is {tax}",
        "{taxword}: {tax}",
        "email me at {email}",
        "my email is {email} thanks",
        "call me at {phone}",
        "my phone number is {phone}",
        "text me on {phone}",
        "my IBAN is {iban}",
        "my password is {pwd}",
        "password: {pwd}",
        "card {card} expiry {exp} security code {cvv}, email {email}",
        "invoice {order} — paid with {card}",
        "{taxword} {tax} phone {phone}",
        "expiry date: {exp}, cvv {cvv}",
    ],
}
_NEGATIVE = {
    "pt": [
        "meu pedido {order} ainda não chegou",
        "protocolo {protocol}, alguma novidade?",
        "a fatura de {amount} vence {date}",
        "paguei {amount} no dia {date}",
        "o código de rastreio é {protocol}",
        "quero a 2a via da fatura {order}",
        "o cartão {badcard} deu erro",
        "meu cpf {badtax} tá certo?",
        "pedido {order} valor {amount}",
        "chamado {protocol} aberto em {date}",
        "oi, sobre o boleto {order} de {amount}",
    ],
    "es": [
        "mi pedido {order} no ha llegado",
        "número de seguimiento {protocol}",
        "la factura {order} de {amount} vence el {date}",
        "pagué {amount} el {date}",
        "la tarjeta {badcard} no funciona",
        "mi dni {badtax} está bien?",
        "ticket {protocol} del {date}",
        "referencia {order}",
    ],
    "en": [
        "my order {order} hasn't arrived",
        "tracking number {protocol}",
        "invoice {order} for {amount} is due {date}",
        "I paid {amount} on {date}",
        "the card {badcard} was declined",
        "ticket {protocol} opened on {date}",
        "is {badtax} a valid id?",
        "order {order}, total {amount}",
    ],
}


def _messengerify(rng: random.Random, text: str) -> str:
    # Messenger style: lower case, no final punctuation, an emoji now and then.
    if rng.random() < 0.3:
        text = text.lower()
    if rng.random() < 0.15:
        text += rng.choice([" 🙏", " 😊", " obg", " thx", " pls", "!!"])
    return text


def _fill(rng: random.Random, lang: str, template: str) -> dict:
    taxword, taxvalue = tax(rng, lang)
    makers: dict[str, Callable[[], Value]] = {
        "card": lambda: card(rng), "cvv": lambda: cvv(rng), "exp": lambda: expiry(rng),
        "email": lambda: email(rng), "phone": lambda: phone(rng, lang), "iban": lambda: iban(rng),
        "pwd": lambda: password(rng), "tax": lambda: taxvalue, "taxword": lambda: (taxword, None),
        "order": lambda: order_no(rng), "protocol": lambda: protocol(rng),
        "amount": lambda: amount(rng), "date": lambda: date(rng), "badcard": lambda: bad_card(rng),
        "badtax": lambda: bad_tax(rng),
    }  # fmt: skip
    template = _messengerify(rng, template)
    out: list[str] = []
    spans: list[dict] = []
    pos = 0
    length = 0
    for m in re.finditer(r"\{(\w+)\}", template):
        literal = template[pos : m.start()]
        out.append(literal)
        length += len(literal)
        value, etype = makers[m.group(1)]()
        if etype:
            spans.append({"type": etype, "start": length, "end": length + len(value)})
        out.append(value)
        length += len(value)
        pos = m.end()
    out.append(template[pos:])
    return {"text": "".join(out), "lang": lang, "spans": spans}


def generate(n: int = 3000, seed: int = 7, negative_share: float = 0.35) -> list[dict]:
    """Generates ``n`` labelled messages; ``negative_share`` of them have no entity."""
    rng = random.Random(seed)
    messages = []
    for i in range(n):
        lang = ("pt", "es", "en")[i % 3]
        pool = _NEGATIVE if rng.random() < negative_share else _POSITIVE
        messages.append(_fill(rng, lang, rng.choice(pool[lang])))
    return messages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "corpus.jsonl")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for message in generate(args.n, args.seed):
            fh.write(json.dumps(message, ensure_ascii=False) + "\n")
    print(f"wrote {args.n} messages to {args.out}")


if __name__ == "__main__":
    main()
