"""Reading valid directory files, and the whole-file checks on a spec."""

from __future__ import annotations

from pathlib import Path

from bot.directory import (
    DirectorySpec,
    PersonSpec,
    check_directory,
    directory_warnings,
    dump_directory,
    load_directory,
    parse_directory,
)
from tests.directory.loader_helpers import BASE, EXAMPLE, MINIMAL, replace, write
from workflow.roles import Role


def test_the_example_file_is_valid() -> None:
    spec = load_directory(EXAMPLE)
    assert spec.centre.code == "mcu"
    assert spec.centre.timezone == "Europe/Moscow"
    assert [org.code for org in spec.organisations] == ["zhkh", "edu", "transport"]
    transport = spec.organisations[2]
    assert transport.timezone == "Europe/Samara"
    assert (
        transport.office_hours
        == "mon-thu 08:00-17:00 break 12:00-13:00; fri 08:00-16:00 break 12:00-13:00"
    )
    assert "Отопление" in spec.organisations[0].topics
    roles = {role for person in spec.people for role in person.roles}
    assert roles == set(Role)
    assert sum(Role.CURATOR in person.roles for person in spec.people) == 1
    assert all(person.stand_ins for person in spec.people if Role.EXECUTOR in person.roles)
    assert {chat.organisation for chat in spec.chats} == {"mcu", "zhkh", "edu", "transport"}
    assert all(chat.chat_id < 0 for chat in spec.chats)
    assert check_directory(spec) == []
    assert directory_warnings(spec) == []


def test_a_minimal_file_needs_only_the_centre_and_a_curator(tmp_path: Path) -> None:
    spec = load_directory(write(tmp_path, MINIMAL))
    assert spec.organisations == [] and spec.chats == []
    person = spec.people[0]
    assert (person.roles, person.active, person.stand_ins, person.locale) == (
        [Role.CURATOR],
        True,
        [],
        None,
    )


def test_usernames_are_stored_lower_case_without_at(tmp_path: Path) -> None:
    spec = load_directory(
        write(tmp_path, replace("username: sidorov_vk", 'username: "@Sidorov_VK"'))
    )
    assert spec.people[1].username == "sidorov_vk"


def test_empty_sections_and_lists_mean_none(tmp_path: Path) -> None:
    text = MINIMAL + "organisations:\nchats:\n"
    text = text.replace("roles: [curator]", "roles: [curator]\n    stand_ins:")
    spec = load_directory(write(tmp_path, text))
    assert spec.organisations == [] and spec.chats == [] and spec.people[0].stand_ins == []


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    spec = load_directory(write(tmp_path, "\ufeff".encode() + BASE.encode()))
    assert spec.centre.code == "mcu"


def test_roles_are_read_case_insensitively(tmp_path: Path) -> None:
    spec = load_directory(write(tmp_path, replace("roles: [executor]", "roles: [Executor]")))
    assert spec.people[2].roles == [Role.EXECUTOR]


def test_a_dumped_spec_parses_back_to_the_same_spec() -> None:
    spec = load_directory(EXAMPLE)
    text = dump_directory(spec)
    assert parse_directory(text) == spec
    assert parse_directory(text.encode()) == spec
    assert "Петрова Анна Николаевна" in text  # allow_unicode: readable, not \u escapes


def test_check_directory_runs_the_whole_file_checks_on_a_spec() -> None:
    spec = load_directory(EXAMPLE)
    broken = spec.model_copy(
        update={
            "people": [
                *spec.people,
                PersonSpec(key="petrova.an", full_name="Двойник", telegram_id=1, roles=["admin"]),
            ]
        }
    )
    assert check_directory(broken) == [
        'people[11].key: duplicate person key "petrova.an" (also at people[0].key)'
    ]


def test_warnings_name_organisations_without_executors_or_responsible() -> None:
    spec = load_directory(EXAMPLE)
    people = [p for p in spec.people if p.organisation != "transport"]
    warnings = directory_warnings(DirectorySpec.model_validate({**dict(spec), "people": people}))
    assert warnings == [
        'organisation "transport" has no active executor: incidents routed there will have '
        "nobody to take them",
        'organisation "transport" has no active responsible official: its overdue alerts will '
        "reach nobody there",
    ]
