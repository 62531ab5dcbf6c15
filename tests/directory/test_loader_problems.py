"""Validating the directory file: every problem at once, each with its place."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.directory import (
    DirectoryInvalid,
    load_directory,
)
from tests.directory.loader_helpers import BASE, only_problem, problems, replace, write


def test_an_unknown_role_names_its_line_column_path_and_the_accepted_roles(tmp_path: Path) -> None:
    path = write(tmp_path, replace("roles: [executor]", "roles: [executor, kurator]"))
    with pytest.raises(DirectoryInvalid) as caught:
        load_directory(path)
    [problem] = caught.value.problems
    assert (problem.line, problem.column, problem.path) == (22, 23, "people[2].roles[1]")
    assert str(problem) == (
        f'{path}:22:23: people[2].roles[1]: unknown role "kurator" (did you mean "curator"?); '
        "accepted: curator, deputy_curator, executor, responsible, manager, admin"
    )


def test_every_problem_is_reported_at_once_in_file_order(tmp_path: Path) -> None:
    text = (
        BASE.replace("timezone: Europe/Moscow", "timezone: Europe/Moskow")
        .replace("roles: [curator]", "roles: [kurator]")
        .replace("username: sidorov_vk", "username: s")
        .replace("organisation: zhkh\nchats", "organisation: zhkx\nchats")
        .replace("chat_id: -1001", "chat_id: 1001")
    )
    found = problems(tmp_path, text)
    places = [line.split(": ", 2)[:2] for line in found]
    assert places == [
        [f"{tmp_path / 'directory.yaml'}:4:13", "centre.timezone"],
        [f"{tmp_path / 'directory.yaml'}:13:13", "people[0].roles[0]"],
        [f"{tmp_path / 'directory.yaml'}:17:15", "people[1].username"],
        [f"{tmp_path / 'directory.yaml'}:23:19", "people[2].organisation"],
        [f"{tmp_path / 'directory.yaml'}:25:14", "chats[0].chat_id"],
    ], found
    assert 'did you mean "Europe/Moscow"?' in found[0]
    assert 'unknown organisation "zhkx" (did you mean "zhkh"?)' in found[3]


def test_one_broken_entry_does_not_hide_or_cause_other_problems(tmp_path: Path) -> None:
    # The organisation's name is missing, yet its code still counts: ivanov's and the chat's
    # references to it stay valid, and a duplicate telegram_id in a broken person is caught.
    text = replace("    name: ЖКХ\n", "").replace(
        "username: sidorov_vk", "telegram_id: 300\n    x: 1"
    )
    found = problems(tmp_path, text)
    assert len(found) == 3, found
    assert found[0].endswith(':6:5: organisations[0]: missing key "name"')
    assert "people[1].x: unknown key" in found[1]
    assert found[2].endswith("people[2].telegram_id: duplicate telegram_id 300 (also at line 16)")


def test_a_missing_key_points_at_its_entry(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, replace("    full_name: Иванов П. П.\n", ""))
    assert problem.endswith(':19:5: people[2]: missing key "full_name"')


def test_an_unknown_key_points_at_the_key_and_lists_the_accepted_ones(tmp_path: Path) -> None:
    text = replace("organisation: zhkh\nchats", "organisation: zhkh\n    phone: 123\nchats")
    problem = only_problem(tmp_path, text)
    assert problem.endswith(
        ':24:5: people[2].phone: unknown key "phone"; accepted: key, full_name, telegram_id, '
        "username, roles, organisation, stand_ins, locale, active, vk_id"
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # types
        (
            "telegram_id: 300",
            'telegram_id: "300"',
            "people[2].telegram_id: expected a whole number",
        ),
        ("full_name: Иванов П. П.", "full_name: yes", "(yes, no, on, off"),
        (
            "full_name: Иванов П. П.",
            "full_name:",
            "people[2].full_name: expected text; found nothing",
        ),
        ("roles: [executor]", "roles: executor", "people[2].roles: expected a list"),
        ("title: ЖКХ", "title: 2024", "chats[0].title: expected text; found the number 2024"),
        ("code: zhkh", "code: ЖКХ", 'organisations[0].code: bad code "ЖКХ"'),
        ("key: ivanov", "key: иванов", 'people[2].key: bad key "иванов"'),
        ("telegram_id: 300", "telegram_id: -300", "people[2].telegram_id: bad telegram_id -300"),
        ("chat_id: -1001", "chat_id: 1001", "chats[0].chat_id: bad chat_id 1001"),
        ("username: sidorov_vk", "username: ab", 'people[1].username: bad username "ab"'),
        ("roles: [executor]\n", "roles: [executor]\n    locale: de\n", 'unknown locale "de"'),
        ("roles: [executor]\n", "roles: [executor]\n    active: maybe\n", "expected true or false"),
        ("topics: [Отопление, Вода]", "topics: [Отопление, '']", "topics[1]: must not be empty"),
        # the time zone and office hours
        (
            "timezone: Europe/Moscow",
            "timezone: Moscow",
            'centre.timezone: unknown time zone "Moscow"',
        ),
        (
            "    name: ЖКХ\n",
            "    name: ЖКХ\n    office_hours: круглосуточно\n",
            'organisations[0].office_hours: bad office hours "круглосуточно"',
        ),
        # duplicates
        ("code: zhkh", "code: mcu", 'organisations[0].code: duplicate organisation code "mcu"'),
        ("key: sidorov", "key: petrova", 'people[1].key: duplicate person key "petrova"'),
        (
            "telegram_id: 300",
            "telegram_id: 100",
            "people[2].telegram_id: duplicate telegram_id 100",
        ),
        (
            "telegram_id: 300",
            "username: Sidorov_VK",
            'people[2].username: duplicate username "sidorov_vk"',
        ),
        (
            "topics: [Отопление, Вода]",
            "topics: [Отопление, отопление]",
            'topics[1]: duplicate topic "отопление"',
        ),
        ("roles: [executor]", "roles: [executor, executor]", 'duplicate role "executor"'),
        # references
        ("stand_ins: [sidorov]", "stand_ins: [sidorow]", 'unknown person "sidorow"'),
        ("stand_ins: [sidorov]", "stand_ins: [petrova]", "cannot stand in for themselves"),
        ("stand_ins: [sidorov]", "stand_ins: [sidorov, sidorov]", 'duplicate stand-in "sidorov"'),
        ("organisation: zhkh\nchats", "organisation: gkh\nchats", 'unknown organisation "gkh"'),
        (
            "title: ЖКХ\n    organisation: zhkh",
            "title: ЖКХ\n    organisation: edu",
            'chats[0].organisation: unknown organisation "edu"',
        ),
        # people and roles
        ("    telegram_id: 300\n", "", "people[2]: needs telegram_id or username"),
        (
            "organisation: zhkh\nchats",
            "locale: ru\nchats",
            "roles[0]: executor needs an organisation",
        ),
        (
            "roles: [deputy_curator]",
            "roles: [deputy_curator]\n    organisation: zhkh",
            "works for the centre",
        ),
        ("roles: [curator]", "roles: [manager]", "people: no curator"),
        ("roles: [curator]", "roles: [curator]\n    active: false", "people: no curator"),
        (
            "roles: [deputy_curator]",
            "roles: [deputy_curator]\n    active: false",
            "cannot stand in",
        ),
        # sections
        ("chats:", "chat:", 'unknown section "chat" (did you mean "chats"?)'),
        ("people:", "persons:", 'missing section "people"'),
        (
            "  - chat_id: -1001\n    title: ЖКХ\n    organisation: zhkh\n",
            "  - -1001\n",
            "chats[0]: expected a mapping (key: value lines); found the number -1001",
        ),
    ],
)
def test_each_check_reports_its_problem(tmp_path: Path, old: str, new: str, expected: str) -> None:
    found = problems(tmp_path, replace(old, new))
    assert any(expected in line for line in found), found
    assert all(":" in line.split(": ")[0] for line in found), found  # every one has a line


def test_bad_office_hours_say_what_is_accepted(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path, replace("    name: ЖКХ\n", "    name: ЖКХ\n    office_hours: круглосуточно\n")
    )
    assert ":8:19: organisations[0].office_hours: " in problem
    assert 'accepted: e.g. "mon-fri 09:00-18:00 break 13:00-14:00"' in problem


def test_a_key_given_twice_in_one_entry_is_reported(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path, replace("telegram_id: 300", "telegram_id: 300\n    telegram_id: 301")
    )
    assert problem.endswith(':22:5: people[2].telegram_id: key "telegram_id" appears twice')


# --- the file itself --------------------------------------------------------------------------


def test_a_yaml_syntax_error_has_its_line(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path, replace("topics: [Отопление, Вода]", "topics: [Отопление, Вода")
    )
    assert "YAML syntax error" in problem
    assert problem.split(": ")[0].endswith(":9:7")  # where the parser noticed
    assert "(while parsing a flow sequence, which starts at line 8)" in problem


def test_an_unquoted_at_sign_gets_a_hint(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, replace("username: sidorov_vk", "username: @sidorov_vk"))
    assert ":17:15: YAML syntax error" in problem
    assert 'must be quoted ("@name"), or leave out the "@"' in problem


def test_tabs_get_a_hint(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, replace("  - key: ivanov", "\t- key: ivanov"))
    assert "indent with spaces, not tabs" in problem


def test_aliases_are_refused(tmp_path: Path) -> None:
    text = replace("roles: [curator]", "roles: &r [curator]").replace(
        "roles: [executor]", "roles: *r"
    )
    problem = only_problem(tmp_path, text)
    assert ":22:12: anchors and aliases" in problem
