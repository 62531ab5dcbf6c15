"""Reading and validating the directory file: every problem at once, each with its place."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.directory import (
    MAX_FILE_BYTES,
    DirectoryInvalid,
    DirectorySpec,
    PersonSpec,
    check_directory,
    directory_warnings,
    dump_directory,
    load_directory,
    parse_directory,
)
from workflow.roles import Role

EXAMPLE = Path(__file__).resolve().parents[2] / "directory.example.yaml"

MINIMAL = """\
centre:
  code: mcu
  name: МЦУ
people:
  - key: curator
    full_name: Куратор
    telegram_id: 100
    roles: [curator]
"""

# A small valid file: the tests below break one thing at a time (line numbers matter).
BASE = """\
centre:
  code: mcu
  name: МЦУ
  timezone: Europe/Moscow
organisations:
  - code: zhkh
    name: ЖКХ
    topics: [Отопление, Вода]
people:
  - key: petrova
    full_name: Петрова А. Н.
    telegram_id: 100
    roles: [curator]
    stand_ins: [sidorov]
  - key: sidorov
    full_name: Сидоров В. К.
    username: sidorov_vk
    roles: [deputy_curator]
  - key: ivanov
    full_name: Иванов П. П.
    telegram_id: 300
    roles: [executor]
    organisation: zhkh
chats:
  - chat_id: -1001
    title: ЖКХ
    organisation: zhkh
"""


def write(tmp_path: Path, content: str | bytes, name: str = "directory.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def problems(tmp_path: Path, content: str | bytes) -> list[str]:
    path = write(tmp_path, content)
    with pytest.raises(DirectoryInvalid) as caught:
        load_directory(path)
    return [str(problem) for problem in caught.value.problems]


def only_problem(tmp_path: Path, content: str | bytes) -> str:
    found = problems(tmp_path, content)
    assert len(found) == 1, found
    return found[0]


def replace(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


# --- good files -------------------------------------------------------------------------------


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


# --- the place of a problem -------------------------------------------------------------------


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
        "username, roles, organisation, stand_ins, locale, active"
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


@pytest.mark.parametrize("content", ["", "\n\n", "# only a comment\n", "---\n"])
def test_an_empty_file(tmp_path: Path, content: str) -> None:
    assert only_problem(tmp_path, content).endswith(
        "directory.yaml: the file is empty; expected the sections centre, organisations, "
        "people, chats"
    )


@pytest.mark.parametrize(
    ("content", "found"),
    [("- a\n- b\n", "found a list"), ("just text\n", 'found the text "just text"')],
)
def test_a_file_that_is_not_a_mapping(tmp_path: Path, content: str, found: str) -> None:
    problem = only_problem(tmp_path, content)
    assert problem.endswith(
        f":1:1: expected a mapping with the sections centre, organisations, people, chats; {found}"
    )


def test_a_file_that_is_not_utf8_points_at_the_first_bad_byte(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path, BASE.replace("ЖКХ\n    topics", "ЖКХ\n    topics").encode("cp1251")
    )
    assert problem.endswith(
        ":3:9: the file is not UTF-8 text (byte 0xcc); save it in the UTF-8 encoding "
        "(Windows-1251 is not accepted)"
    )


def test_a_file_too_large_is_refused_before_it_is_read(tmp_path: Path) -> None:
    line = "# " + "x" * 1000 + "\n"
    content = BASE + line * (MAX_FILE_BYTES // len(line) + 1)
    problem = only_problem(tmp_path, content)
    assert "the file is too large" in problem and "accepted: up to 5 MB" in problem


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(DirectoryInvalid) as caught:
        load_directory(path)
    assert [str(problem) for problem in caught.value.problems] == [f"{path}: file not found"]


def test_a_directory_instead_of_a_file(tmp_path: Path) -> None:
    with pytest.raises(DirectoryInvalid, match="is a directory, not a file"):
        load_directory(tmp_path)


# --- specs built in code ----------------------------------------------------------------------


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
