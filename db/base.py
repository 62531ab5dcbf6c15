"""The declarative base every table module registers on: one metadata, named constraints.

Tables live in `db/models.py` and, by topic, in modules beside it (`db/models_<topic>.py`)
that import `Base` from here; `db/models.py` imports those modules at its end, so importing
`db.models` loads the whole schema (Alembic's `env.py` and the tests rely on it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, MetaData
from sqlalchemy.orm import DeclarativeBase

from db.types import UTCDateTime

# Named constraints so that migrations can drop them on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads it from the class
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


# --- the directory ----------------------------------------------------------------------------
