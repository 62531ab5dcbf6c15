"""The directory file's format as pydantic models.

Each model checks what one entry can check by itself (types, names, time zones, office
hours); what needs the whole file (duplicates, references, "is there a curator") is in
`bot.directory.loader`. Field order here is the key order of an exported file.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
)

from bot.i18n import LOCALES
from workflow.pages import Network, PageKind, normalise_url
from workflow.roles import Role

ROLE_NAMES = tuple(role.value for role in Role)
OFFICE_HOURS_EXAMPLE = "mon-fri 09:00-18:00 break 13:00-14:00"

# Codes travel in callback data (64 bytes, ":" is the separator), so they stay short and ASCII.
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
# Telegram: 5-32 characters; 4-character collectible names exist too.
_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")
_MAX_TELEGRAM_ID = 2**63 - 1  # BigInteger


def did_you_mean(value: str, choices: list[str] | tuple[str, ...]) -> str:
    """' (did you mean "x"?)' when a close choice exists, else ''."""
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


@cache
def _timezone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def _code(value: str) -> str:
    if not _CODE.fullmatch(value):
        raise ValueError(
            f'bad code "{value}"; accepted: 1-32 Latin letters, digits, "-" or "_", '
            "starting with a letter or digit (e.g. zhkh); codes are used in buttons"
        )
    return value


def _key(value: str) -> str:
    if not _KEY.fullmatch(value):
        raise ValueError(
            f'bad key "{value}"; accepted: 1-64 Latin letters, digits, ".", "-" or "_", '
            "starting with a letter or digit (e.g. ivanova.ma)"
        )
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        hint = did_you_mean(value, _timezone_names())
        raise ValueError(
            f'unknown time zone "{value}"{hint}; accepted: an IANA name such as '
            "Europe/Moscow, Europe/Samara, Asia/Yekaterinburg, Asia/Novosibirsk"
        ) from None
    return value


def _office_hours(value: str) -> str:
    # Imported here so that this module loads even where the calendar is not importable.
    from workflow.calendar import WeeklySchedule

    try:
        WeeklySchedule.parse(value)
    except ValueError as error:
        raise ValueError(
            f'bad office hours "{value}": {error}; accepted: e.g. "{OFFICE_HOURS_EXAMPLE}"'
        ) from None
    return value


def _username(value: str) -> str:
    name = value.removeprefix("@")
    if not _USERNAME.fullmatch(name):
        raise ValueError(
            f'bad username "{value}"; accepted: a Telegram username, 4-32 Latin letters, '
            'digits or "_" starting with a letter, with or without "@"'
        )
    return name.lower()  # Telegram usernames are case-insensitive


def _telegram_id(value: int) -> int:
    if not 0 < value <= _MAX_TELEGRAM_ID:
        raise ValueError(
            f"bad telegram_id {value}; accepted: the person's numeric Telegram user id, "
            "a positive number"
        )
    return value


def _chat_id(value: int) -> int:
    if not -_MAX_TELEGRAM_ID <= value < 0:
        raise ValueError(
            f"bad chat_id {value}; accepted: a group's numeric id, which is negative "
            "(supergroups start with -100)"
        )
    return value


def _locale(value: str) -> str:
    if value not in LOCALES:
        raise ValueError(f'unknown locale "{value}"; accepted: {", ".join(LOCALES)}')
    return value


def _role(value: Any) -> Role:
    if isinstance(value, Role):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a role name; accepted: {', '.join(ROLE_NAMES)}")
    name = value.strip().lower()
    if name not in ROLE_NAMES:
        hint = did_you_mean(name, ROLE_NAMES)
        raise ValueError(f'unknown role "{value}"{hint}; accepted: {", ".join(ROLE_NAMES)}')
    return Role(name)


def _none_as_empty(value: Any) -> Any:
    # `topics:` with nothing under it is YAML null; an administrator means "none".
    return [] if value is None else value


Code = Annotated[StrictStr, StringConstraints(strip_whitespace=True), AfterValidator(_code)]
PersonKey = Annotated[StrictStr, StringConstraints(strip_whitespace=True), AfterValidator(_key)]
TimeZone = Annotated[StrictStr, StringConstraints(strip_whitespace=True), AfterValidator(_timezone)]
OfficeHours = Annotated[
    StrictStr, StringConstraints(strip_whitespace=True), AfterValidator(_office_hours)
]
Username = Annotated[StrictStr, StringConstraints(strip_whitespace=True), AfterValidator(_username)]
TelegramId = Annotated[StrictInt, AfterValidator(_telegram_id)]
ChatId = Annotated[StrictInt, AfterValidator(_chat_id)]
Locale = Annotated[StrictStr, StringConstraints(strip_whitespace=True), AfterValidator(_locale)]
RoleName = Annotated[Role, BeforeValidator(_role)]
Name = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
FullName = Annotated[
    StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)
]
Title = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Topic = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CentreSpec(_Entry):
    """The management centre (МЦУ): the curators' organisation.

    Without a time zone or office hours, the settings CENTRE_TIMEZONE and OFFICE_HOURS apply.
    """

    code: Code
    name: Name
    timezone: TimeZone | None = None
    office_hours: OfficeHours | None = None


class OrganisationSpec(_Entry):
    """A department or subordinate institution. No time zone or office hours: the centre's."""

    code: Code
    name: Name
    timezone: TimeZone | None = None
    office_hours: OfficeHours | None = None
    topics: Annotated[list[Topic], BeforeValidator(_none_as_empty)] = Field(default_factory=list)
    # п.16: auto (the bot publishes the approved answer), press (after the publisher's
    # press "Опубликовать") or manual (by hand, confirmed with a link); unset: auto.
    publish: Literal["auto", "press", "manual"] | None = None


class PersonSpec(_Entry):
    key: PersonKey
    full_name: FullName
    telegram_id: TelegramId | None = None
    username: Username | None = None  # stored lower case, without "@"
    roles: Annotated[list[RoleName], BeforeValidator(_none_as_empty)] = Field(default_factory=list)
    organisation: Code | None = None
    # Keys of the people who replace this one while away (п.8), in order of preference.
    stand_ins: Annotated[list[PersonKey], BeforeValidator(_none_as_empty)] = Field(
        default_factory=list
    )
    locale: Locale | None = None
    active: StrictBool = True
    # Their VK user id: posts from it are the administration's own, not incidents (п.10).
    vk_id: Annotated[StrictInt, Field(gt=0)] | None = None


class ChatSpec(_Entry):
    chat_id: ChatId
    title: Title | None = None
    organisation: Code


def _page_url(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s/]+\.[^\s/]+(/\S*)?", value):
        raise ValueError(
            f'bad url "{value}"; accepted: the page\'s link, e.g. https://vk.com/club218765432'
        )
    return normalise_url(value)


def _vk_group_id(value: int) -> int:
    if not 0 < value <= _MAX_TELEGRAM_ID:
        raise ValueError(f"bad vk_group_id {value}; accepted: the community's positive id")
    return value


def _quota(value: int) -> int:
    if not 0 <= value <= 1000:
        raise ValueError(f"bad weekly_quota {value}; accepted: a number of posts, 0-1000")
    return value


class PageSpec(_Entry):
    """An official page (госпаблик); its link is its key. Checked against the rest of the
    file in bot/directory/pages_checks.py."""

    organisation: Code
    network: Network
    url: Annotated[StrictStr, StringConstraints(strip_whitespace=True), AfterValidator(_page_url)]
    title: Title | None = None
    vk_group_id: Annotated[StrictInt, AfterValidator(_vk_group_id)] | None = None
    telegram_chat_id: ChatId | None = None
    kind: PageKind = PageKind.ORGANISATION
    responsible: PersonKey | None = None
    authorised: Annotated[list[PersonKey], BeforeValidator(_none_as_empty)] = Field(
        default_factory=list
    )
    state_mark: StrictBool = False  # госметка
    gospubliki: StrictBool = False  # connected to Госпаблики
    weekly_quota: Annotated[StrictInt, AfterValidator(_quota)] | None = None  # None: by kind


class DirectorySpec(_Entry):
    centre: CentreSpec
    organisations: Annotated[list[OrganisationSpec], BeforeValidator(_none_as_empty)] = Field(
        default_factory=list
    )
    people: Annotated[list[PersonSpec], BeforeValidator(_none_as_empty)] = Field(
        default_factory=list
    )
    chats: Annotated[list[ChatSpec], BeforeValidator(_none_as_empty)] = Field(default_factory=list)
    pages: Annotated[list[PageSpec], BeforeValidator(_none_as_empty)] = Field(default_factory=list)


SECTION_MODELS: dict[str, type[_Entry]] = {
    "organisations": OrganisationSpec,
    "people": PersonSpec,
    "chats": ChatSpec,
    "pages": PageSpec,
}
