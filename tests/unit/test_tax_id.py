"""Tax ids typed by consumers: every kind, typical typing, each failure reason."""

from __future__ import annotations

import pytest
from stdnum.ar import cuit
from stdnum.br import cpf
from stdnum.cl import rut
from stdnum.pt import nif

from sigilo.tax_id import SUPPORTED_KINDS, TinResult, validate_tin

# One CPF that is also a CUIT, one PT NIF that is also a CL RUT (checked below).
CPF_AND_CUIT = "20273456040"
NIF_AND_RUT = "293456003"


@pytest.mark.parametrize(
    ("text", "kind", "compact"),
    [
        ("529.982.247-25", "br.cpf", "52998224725"),
        ("52998224725", "br.cpf", "52998224725"),
        ("11.222.333/0001-81", "br.cnpj", "11222333000181"),
        ("12.ABC.345/01DE-35", "br.cnpj", "12ABC34501DE35"),  # alphanumeric CNPJ (2026)
        ("12345678Z", "es.dni", "12345678Z"),
        ("12345678-z", "es.dni", "12345678Z"),
        ("X1234567L", "es.nie", "X1234567L"),
        ("x-1234567-l", "es.nie", "X1234567L"),
        ("B12345674", "es.cif", "B12345674"),
        ("B-1234567-D", "es.cif", "B1234567D"),
        ("123 456 789", "pt.nif", "123456789"),
        ("PT 501 964 843", "pt.nif", "501964843"),
        ("BNCGLI90A41F205H", "it.codice_fiscale", "BNCGLI90A41F205H"),
        ("bncgli90a41f205h", "it.codice_fiscale", "BNCGLI90A41F205H"),
        ("20-12345678-6", "ar.cuit", "20123456786"),
        ("12.345.678-5", "cl.rut", "123456785"),
        ("15.432.108-k", "cl.rut", "15432108K"),
        ("1.234.567-4", "cl.rut", "12345674"),
        ("HEGD850315T22", "mx.rfc", "HEGD850315T22"),
        ("HEGD 850315 T22", "mx.rfc", "HEGD850315T22"),
        ("MAB-930714-8T4", "mx.rfc", "MAB9307148T4"),
    ],
)
def test_valid_numbers_of_every_kind(text: str, kind: str, compact: str) -> None:
    result = validate_tin(text)
    assert result.valid, result
    assert result.qualified_kind == kind
    assert result.compact == compact
    assert result.reason is None
    assert result.last4 == compact[-4:]


def test_every_supported_kind_has_a_valid_sample() -> None:
    samples = ["52998224725", "11222333000181", "12345678Z", "X1234567L", "B12345674"]
    samples += ["123456789", "BNCGLI90A41F205H", "20123456786", "123456785", "HEGD850315T22"]
    kinds = {validate_tin(s).qualified_kind for s in samples}
    assert kinds == set(SUPPORTED_KINDS)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("meu cpf é 529.982.247-25", "br.cpf"),
        ("Meu CPF: 529.982.247-25.", "br.cpf"),
        ("cpf=529 982 247 25", "br.cpf"),
        ("529.982.247–25", "br.cpf"),  # en dash from a phone keyboard
        ("mi DNI es 12345678Z", "es.dni"),
        ("Mi NIE: X-1234567-L, gracias", "es.nie"),
        ("RUT 12.345.678-5", "cl.rut"),
        ("o meu NIF é 123456789", "pt.nif"),
        ("il mio codice fiscale è BNCGLI90A41F205H", "it.codice_fiscale"),
        ("CUIT: 20-12345678-6", "ar.cuit"),
        ("mi RFC es HEGD850315T22 gracias", "mx.rfc"),
        ("(CNPJ 11.222.333/0001-81)", "br.cnpj"),
        ("529.982.247-25 e 529.982.247-25", "br.cpf"),  # same number twice is fine
    ],
)
def test_labels_and_punctuation_around_the_number(text: str, kind: str) -> None:
    assert validate_tin(text).qualified_kind == kind


def test_fullwidth_digits_are_normalised() -> None:
    assert validate_tin("５２９９８２２４７２５").compact == "52998224725"


def test_masked_keeps_national_format_and_two_last_characters() -> None:
    assert validate_tin("52998224725").masked == "•••.•••.•••-25"
    assert validate_tin("11222333000181").masked == "••.•••.•••/••••-81"
    assert validate_tin("12345678Z").masked == "•••••••8Z"
    assert validate_tin("15432108K").masked == "••.•••.••8-K"


def test_repr_never_shows_the_number() -> None:
    result = validate_tin("529.982.247-25")
    assert "52998224725" not in repr(result)
    assert "982" not in repr(result)


def test_ambiguity_samples_are_really_valid_for_both_kinds() -> None:
    assert cpf.is_valid(CPF_AND_CUIT) and cuit.is_valid(CPF_AND_CUIT)
    assert nif.is_valid(NIF_AND_RUT) and rut.is_valid(NIF_AND_RUT)


@pytest.mark.parametrize(
    ("text", "preferred", "kind", "alternatives"),
    [
        (CPF_AND_CUIT, (), "br.cpf", ("ar.cuit",)),  # fixed order: BR before AR
        (CPF_AND_CUIT, ("BR", "PT"), "br.cpf", ("ar.cuit",)),
        (CPF_AND_CUIT, ("ES", "AR", "CL", "MX"), "ar.cuit", ("br.cpf",)),
        (CPF_AND_CUIT, ("ar",), "ar.cuit", ("br.cpf",)),  # case-insensitive
        (f"CUIT {CPF_AND_CUIT}", ("BR",), "ar.cuit", ("br.cpf",)),  # a typed label wins
        (NIF_AND_RUT, (), "pt.nif", ("cl.rut",)),
        (NIF_AND_RUT, ("ES", "AR", "CL", "MX"), "cl.rut", ("pt.nif",)),
        (f"RUT {NIF_AND_RUT}", ("PT",), "cl.rut", ("pt.nif",)),
        ("529.982.247-25", ("ES", "AR"), "br.cpf", ()),  # preference never invents a match
    ],
)
def test_ambiguous_strings_follow_preferences(
    text: str, preferred: tuple[str, ...], kind: str, alternatives: tuple[str, ...]
) -> None:
    result = validate_tin(text, preferred)
    assert result.valid
    assert result.qualified_kind == kind
    assert result.alternatives == alternatives


def test_ambiguous_masks_follow_the_chosen_kind() -> None:
    assert validate_tin(CPF_AND_CUIT, ["AR"]).masked == "••-•••••••4-0"
    assert validate_tin(CPF_AND_CUIT, ["BR"]).masked == "•••.•••.•••-40"


def _invalid(text: str, preferred: tuple[str, ...] = ()) -> TinResult:
    result = validate_tin(text, preferred)
    assert not result.valid
    assert result.country is None and result.kind is None
    assert result.compact == "" and result.masked == ""
    return result


@pytest.mark.parametrize("text", ["", "   ", "olá", "meu cpf é", "\n\t"])
def test_empty(text: str) -> None:
    assert _invalid(text).reason == "empty"


@pytest.mark.parametrize(
    ("text", "candidates"),
    [
        ("529*982*247*25", ("br.cpf",)),
        ("529.982.247_25", ("br.cpf",)),
        ("12345678Z😀", ("es.dni",)),
    ],
)
def test_bad_characters(text: str, candidates: tuple[str, ...]) -> None:
    result = _invalid(text)
    assert result.reason == "bad_characters"
    assert result.candidates == candidates


@pytest.mark.parametrize(
    ("text", "preferred", "candidates"),
    [
        ("529.982.247-24", (), ("br.cpf",)),  # length matched CPF, check digits failed
        ("11.222.333/0001-82", (), ("br.cnpj",)),
        ("12345678A", (), ("es.dni",)),
        ("X1234567A", (), ("es.nie",)),
        ("B12345675", (), ("es.cif",)),
        ("123456788", ("PT",), ("pt.nif", "cl.rut")),
        ("BNCGLI90A41F205A", (), ("it.codice_fiscale",)),
        ("20-12345678-7", ("AR",), ("ar.cuit", "br.cpf")),
        ("123456784", (), ("pt.nif", "cl.rut")),
        ("HEGD850315T21", (), ("mx.rfc",)),
        ("cuit 20-12345678-7", (), ("ar.cuit", "br.cpf")),
        ("12.345.678-4", ("PT",), ("cl.rut", "pt.nif")),  # typed in the RUT format
    ],
)
def test_bad_checksum(text: str, preferred: tuple[str, ...], candidates: tuple[str, ...]) -> None:
    result = _invalid(text, preferred)
    assert result.reason == "bad_checksum"
    assert result.candidates == candidates


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("5299822472", "br.cpf"),  # a digit missing
        ("529982247255", "br.cpf"),  # a digit too many
        ("1234567Z", "es.dni"),
        ("1122233300018", "br.cnpj"),
        ("cpf 123", None),  # nothing is that short
        ("1234567890123456789012", None),
    ],
)
def test_wrong_length(text: str, first: str | None) -> None:
    result = _invalid(text)
    assert result.reason == "wrong_length"
    assert (result.candidates[0] if result.candidates else None) == first


@pytest.mark.parametrize(
    ("text", "candidates"),
    [
        ("00000000000", ("br.cpf", "ar.cuit")),  # all zeros is not a CPF; 00 no CUIT type
        ("BNCGLI90B71F205J", ("it.codice_fiscale",)),  # 31 February (B) is impossible
        ("cuit 52998224724", ("ar.cuit",)),  # a label wins: 52 is no CUIT type
        ("HEGD851315T22", ("mx.rfc",)),  # month 13
        ("1234AB789", ()),  # letters where no kind has them
    ],
)
def test_bad_format(text: str, candidates: tuple[str, ...]) -> None:
    result = _invalid(text)
    assert result.reason == "bad_format"
    assert result.candidates == candidates


def test_two_different_numbers_are_ambiguous() -> None:
    result = _invalid("cpf 529.982.247-25 ou cnpj 11.222.333/0001-81")
    assert result.reason == "ambiguous"
    assert set(result.candidates) == {"br.cpf", "br.cnpj"}


def test_digits_around_the_number_do_not_make_it_ambiguous() -> None:
    assert validate_tin("HEGD850315T22 tel 55 1234 5678").qualified_kind == "mx.rfc"


def test_a_label_puts_its_kind_first_among_candidates() -> None:
    assert _invalid("12345678").candidates == ("cl.rut",)  # bad RUT check digit
    labelled = _invalid("NIF 12345678")
    assert (labelled.reason, labelled.candidates) == ("wrong_length", ("pt.nif",))


def test_a_typed_national_format_beats_preferences() -> None:
    assert validate_tin("202.734.560-40", ["AR"]).qualified_kind == "br.cpf"
    assert validate_tin("20-27345604-0", ["BR"]).qualified_kind == "ar.cuit"
    assert validate_tin("29.345.600-3", ["PT"]).qualified_kind == "cl.rut"


def test_long_chatty_message_is_handled_quickly() -> None:
    text = " ".join(["palavra 12"] * 200) + " 529.982.247-25"
    assert validate_tin(text).reason == "ambiguous" or validate_tin(text).valid
