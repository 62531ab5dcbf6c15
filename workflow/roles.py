"""Roles a person can hold in the directory (DOMAIN.md, "Who uses the bot")."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CURATOR = "curator"
    DEPUTY_CURATOR = "deputy_curator"
    EXECUTOR = "executor"
    RESPONSIBLE = "responsible"  # ответственное лицо организации (п.8)
    MANAGER = "manager"
    ADMIN = "admin"


# The deputy stands in for the curator while the curator is away, so both may act as curator.
CURATOR_ROLES: frozenset[Role] = frozenset({Role.CURATOR, Role.DEPUTY_CURATOR})
