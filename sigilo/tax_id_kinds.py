"""The supported tax id kinds: one row a country and kind, bound to its stdnum validator.

Used by :mod:`sigilo.tax_id`; the row order is the fixed tie-break order (``SUPPORTED_KINDS``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from stdnum.ar import cuit
from stdnum.br import cnpj, cpf
from stdnum.cl import rut
from stdnum.es import cif, dni, nie
from stdnum.exceptions import InvalidLength
from stdnum.it import codicefiscale
from stdnum.mx import rfc
from stdnum.pt import nif

__all__ = ["KINDS", "LABELS", "SUPPORTED_KINDS", "Kind"]


@dataclass(frozen=True)
class Kind:
    """One supported TIN kind."""

    country: str
    kind: str
    lengths: tuple[int, ...]
    shape: re.Pattern[str]  # loose shape: "looks like this kind", whatever the length
    validate: Callable[[str], str]
    formatter: Callable[[str], str] | None = None
    labels: tuple[str, ...] = ()

    @property
    def qualified(self) -> str:
        """E.g. ``br.cpf``."""
        return f"{self.country.lower()}.{self.kind}"


def _only_length(module: ModuleType, lengths: tuple[int, ...]) -> Callable[[str], str]:
    """Wrap a stdnum validate so that other lengths it accepts are refused."""

    def validate(number: str) -> str:
        if len(number) not in lengths:
            # codicefiscale also accepts an 11-digit partita IVA, which is another kind
            raise InvalidLength()
        return module.validate(number)

    return validate


def _rfc_validate(number: str) -> str:
    if len(number) not in (12, 13):
        raise InvalidLength()
    return rfc.validate(number, validate_check_digits=True)


KINDS: tuple[Kind, ...] = (
    Kind("BR", "cpf", (11,), re.compile(r"\d+"), cpf.validate, cpf.format, ("CPF",)),
    Kind("BR", "cnpj", (14,), re.compile(r"[\dA-Z]+\d\d"), cnpj.validate, cnpj.format, ("CNPJ",)),
    Kind("ES", "dni", (9,), re.compile(r"\d+[A-Z]"), dni.validate, None, ("DNI", "NIF")),
    Kind("ES", "nie", (9,), re.compile(r"[XYZ]\d+[A-Z]"), nie.validate, None, ("NIE",)),
    Kind("ES", "cif", (9,), re.compile(r"[A-Z]\d+[\dA-J]"), cif.validate, None, ("CIF",)),
    Kind("PT", "nif", (9,), re.compile(r"[1-9]\d*"), nif.validate, None, ("NIF", "NIPC")),
    Kind(
        "IT",
        "codice_fiscale",
        (16,),
        re.compile(r"[A-Z]{6}[\dA-Z]+"),
        _only_length(codicefiscale, (16,)),
        None,
        ("CF", "CODICE", "FISCALE"),
    ),
    Kind("AR", "cuit", (11,), re.compile(r"\d+"), cuit.validate, cuit.format, ("CUIT", "CUIL")),
    Kind("CL", "rut", (8, 9), re.compile(r"\d+[\dK]"), rut.validate, rut.format, ("RUT", "RUN")),
    Kind(
        "MX",
        "rfc",
        (12, 13),
        re.compile(r"[A-ZÑ&]{3,4}\d{6}[\dA-Z]*"),
        _rfc_validate,
        None,
        ("RFC",),
    ),
)
SUPPORTED_KINDS: tuple[str, ...] = tuple(k.qualified for k in KINDS)
LABELS = frozenset(label for k in KINDS for label in k.labels)
