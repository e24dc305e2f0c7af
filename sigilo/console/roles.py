"""Operator roles and what each may do: the one table every endpoint and command uses."""

from __future__ import annotations

from enum import Enum


class Role(str, Enum):
    """An operator's role."""

    ADMIN = "admin"
    EDITOR = "editor"
    VIEWER = "viewer"
    NONE = "none"


class Permission(str, Enum):
    """One thing an operator can be allowed to do."""

    SEARCH = "conversations.search"
    READ = "conversations.read"
    READ_PERSONAL = "conversations.read_personal"
    EXPORT = "conversations.export"
    DELETE = "conversations.delete"
    RETENTION_READ = "retention.read"
    RETENTION_WRITE = "retention.write"
    OPERATORS = "operators.manage"
    AUDIT = "audit.read"
    METRICS = "metrics.read"


_VIEWER = {
    Permission.SEARCH,
    Permission.READ,
    Permission.RETENTION_READ,
    Permission.METRICS,
}
_EDITOR = _VIEWER | {Permission.READ_PERSONAL, Permission.EXPORT, Permission.DELETE}
_ADMIN = _EDITOR | {Permission.RETENTION_WRITE, Permission.OPERATORS, Permission.AUDIT}

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(_ADMIN),
    Role.EDITOR: frozenset(_EDITOR),
    Role.VIEWER: frozenset(_VIEWER),
    Role.NONE: frozenset(),
}

# Roles that must sign in with a TOTP code as well as the password.
TWO_FACTOR_ROLES = frozenset({Role.ADMIN, Role.EDITOR})


class AccessDenied(PermissionError):
    """The operator's role does not allow the action."""


def parse_role(value: str | Role) -> Role:
    """The role named ``value``.

    Raises:
        ValueError: not one of admin, editor, viewer, none.
    """
    if isinstance(value, Role):
        return value
    try:
        return Role(str(value).strip().lower())
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise ValueError(f"unknown role {value!r}: use one of {names}") from None


def allowed(role: Role, permission: Permission) -> bool:
    """Whether ``role`` grants ``permission``."""
    return permission in PERMISSIONS[role]


def check(role: Role, permission: Permission) -> None:
    """Raises :class:`AccessDenied` unless ``role`` grants ``permission``."""
    if not allowed(role, permission):
        raise AccessDenied(f"role {role.value} may not {permission.value}")
