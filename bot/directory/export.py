"""Export: the directory in the database written back as YAML that imports to the same state."""

from __future__ import annotations

import textwrap
from typing import Any

import yaml
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.directory.pages_checks import page_spec
from bot.directory.schema import (
    CentreSpec,
    ChatSpec,
    DirectorySpec,
    OrganisationSpec,
    PersonSpec,
)
from db.directory_records import DirectoryRecords
from db.uow import UnitOfWork


class DirectoryEmpty(Exception):
    """There is no directory in the database to export (no centre)."""


def to_spec(records: DirectoryRecords) -> DirectorySpec:
    """Built without validation: export must work whatever another writer stored."""
    centre = records.centre
    if centre is None:
        raise DirectoryEmpty("the database holds no directory yet (no centre); import one first")
    return DirectorySpec.model_construct(
        centre=CentreSpec.model_construct(
            code=centre.code,
            name=centre.name,
            timezone=centre.timezone,
            office_hours=centre.office_hours,
        ),
        organisations=[
            OrganisationSpec.model_construct(
                code=org.code,
                name=org.name,
                timezone=org.timezone,
                office_hours=org.office_hours,
                topics=list(org.topics),
                publish=org.publish,
            )
            for org in records.organisations
            if org is not centre
        ],
        people=[
            PersonSpec.model_construct(
                key=person.key,
                full_name=person.full_name,
                telegram_id=person.telegram_id,
                username=person.username,
                roles=list(person.roles),
                organisation=person.organisation,
                stand_ins=list(person.stand_ins),
                locale=person.locale,
                active=person.active,
                vk_id=person.vk_id,
            )
            for person in records.people
        ],
        chats=[
            ChatSpec.model_construct(
                chat_id=chat.chat_id, title=chat.title, organisation=chat.organisation
            )
            for chat in records.chats
        ],
        pages=[page_spec(page) for page in records.pages],
    )


async def read_directory(sessions: async_sessionmaker[AsyncSession]) -> DirectorySpec:
    """The directory in the database as a spec (people sorted by key, organisations by code)."""
    async with UnitOfWork(sessions) as uow:
        records = await uow.directory.records()
    return to_spec(records)


async def export_directory(sessions: async_sessionmaker[AsyncSession]) -> str:
    """The directory as YAML that imports back to the same state."""
    return dump_directory(await read_directory(sessions))


class _Flow(list[Any]):
    """A short list written on one line: `roles: [executor, responsible]`."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent lists under their key, as people write them by hand.
        super().increase_indent(flow, False)


_Dumper.add_representer(
    _Flow, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, True)
)

_HEADER = """\
# The directory of the incident bot: the centre, organisations, people and group chats.
# Written by `python -m bot directory export`; load it with
# `python -m bot directory import FILE`. The format is described in docs/directory.md.
"""


def _yaml(data: Any) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000, indent=2
    )


def dump_directory(spec: DirectorySpec) -> str:
    """YAML for a spec: fields in the schema's order, defaults left out, a blank line between
    entries."""
    data = spec.model_dump(mode="json", exclude_defaults=True)
    blocks = [_HEADER, _yaml({"centre": data["centre"]})]
    for section in ("organisations", "people", "chats", "pages"):
        entries = data.get(section, [])
        if not entries and section == "pages":
            continue  # a directory without pages keeps its old shape
        if not entries:
            blocks.append(f"{section}: []\n")
            continue
        items = []
        for entry in entries:
            for name in ("roles", "stand_ins", "authorised"):
                if name in entry:
                    entry[name] = _Flow(entry[name])
            items.append(textwrap.indent(_yaml([entry]), "  "))
        blocks.append(f"{section}:\n" + "\n".join(items))
    return "\n".join(blocks)
