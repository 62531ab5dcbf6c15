"""The administrator: bind groups, invite people; and everyone's own absences (п.8)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import BotCommand, BotCommandScopeChat, Message

from bot.services.people_service import DirectoryChangeRefused, PersonView
from handlers.common import HasRole, Translate
from handlers.context import Services
from workflow.roles import CURATOR_ROLES, Role

router = Router(name=__name__)  # admin-only commands
router.message.filter(HasRole(Role.ADMIN))

registration = Router(name=__name__ + ".registration")  # invitations and absences: anyone

MENU: list[tuple[str, frozenset[Role] | None]] = [
    ("help", None),
    ("cancel", None),
    ("away", None),
    ("back", None),
    ("overdue", frozenset({*CURATOR_ROLES, Role.MANAGER, Role.RESPONSIBLE, Role.ADMIN})),
    ("today", frozenset({*CURATOR_ROLES, Role.MANAGER, Role.RESPONSIBLE, Role.ADMIN})),
    ("incident", frozenset({*CURATOR_ROLES, Role.MANAGER, Role.RESPONSIBLE, Role.ADMIN})),
    ("report", frozenset({*CURATOR_ROLES, Role.MANAGER, Role.RESPONSIBLE, Role.ADMIN})),
    ("new", frozenset(CURATOR_ROLES)),
    ("invite", frozenset({Role.ADMIN})),
    ("bind", frozenset({Role.ADMIN})),
    ("pages", frozenset({*CURATOR_ROLES, Role.MANAGER, Role.RESPONSIBLE, Role.ADMIN})),
    ("posted", frozenset({Role.EXECUTOR, Role.RESPONSIBLE, *CURATOR_ROLES})),
]


async def set_menu(bot: Bot, chat_id: int, roles: frozenset[Role], t: Translate) -> None:
    """The command menu a person sees in their private chat follows their roles."""
    commands = [
        BotCommand(command=name, description=t(f"menu.{name}"))
        for name, needed in MENU
        if needed is None or roles & needed
    ]
    await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=chat_id))


def _refusal(error: DirectoryChangeRefused, t: Translate) -> str:
    return t(f"directory.{error.code}", **{k: str(v) for k, v in error.params.items()})


@router.message(Command("bind"))
async def bind(message: Message, command: CommandObject, services: Services, t: Translate) -> None:
    if message.chat.type not in ("group", "supergroup"):
        await message.answer(t("admin.bind_in_group"))
        return
    code = (command.args or "").strip()
    if not code:
        await message.answer(t("admin.bind_usage"))
        return
    try:
        name = await services.people.bind_chat(message.chat.id, message.chat.title, code)
    except DirectoryChangeRefused as error:
        await message.answer(_refusal(error, t))
        return
    await message.answer(t("admin.bound", org=name))


@router.message(Command("invite"))
async def invite(
    message: Message, command: CommandObject, services: Services, t: Translate
) -> None:
    key = (command.args or "").strip()
    if not key:
        await message.answer(t("admin.invite_usage"))
        return
    try:
        code = await services.people.create_invitation(key, services.clock.now())
    except DirectoryChangeRefused as error:
        await message.answer(_refusal(error, t))
        return
    link = f"https://t.me/{services.bot_username}?start={code}"
    await message.answer(t("admin.invitation", key=key, link=link))


@registration.message(CommandStart(deep_link=True))
async def accept(
    message: Message,
    command: CommandObject,
    services: Services,
    person: PersonView | None,
    t: Translate,
    bot: Bot,
) -> None:
    if message.chat.type != "private" or message.from_user is None:
        return
    try:
        me = await services.people.accept_invitation(
            (command.args or "").strip(), message.from_user.id, services.clock.now()
        )
    except DirectoryChangeRefused as error:
        await message.answer(_refusal(error, t))
        return
    roles = ", ".join(t(f"role.{role.value}") for role in sorted(me.roles))
    await message.answer(t("registration.welcome", name=me.full_name, roles=roles or "—"))
    await set_menu(bot, message.chat.id, me.roles, t)


def parse_day(text: str) -> date | None:
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


async def _target(
    services: Services, person: PersonView, key: str | None, t: Translate
) -> PersonView | str:
    """Oneself, or (for an administrator) the person with that directory key."""
    if key is None:
        return person
    if Role.ADMIN not in person.roles:
        return t("admin.only_admins_for_others")
    other = await services.people.person_by_key(key)
    return other if other is not None else t("directory.unknown_person", key=key)


@registration.message(Command("away"))
async def away(
    message: Message,
    command: CommandObject,
    services: Services,
    person: PersonView | None,
    t: Translate,
) -> None:
    if person is None:
        return
    parts = (command.args or "").split()
    start = parse_day(parts[0]) if parts else None
    end = parse_day(parts[1]) if len(parts) > 1 else None
    if start is None or end is None or len(parts) > 3:
        await message.answer(t("away.usage"))
        return
    target = await _target(services, person, parts[2] if len(parts) == 3 else None, t)
    if isinstance(target, str):
        await message.answer(target)
        return
    tz = services.centre_tz()
    starts_at = datetime.combine(start, time.min, tz)
    ends_at = datetime.combine(end + timedelta(days=1), time.min, tz)  # the whole last day
    try:
        await services.people.set_away(target.id, starts_at, ends_at, services.clock.now())
    except DirectoryChangeRefused as error:
        await message.answer(_refusal(error, t))
        return
    await message.answer(
        t("away.set", name=target.full_name, start=f"{start:%d.%m.%Y}", end=f"{end:%d.%m.%Y}")
    )


@registration.message(Command("back"))
async def back(
    message: Message,
    command: CommandObject,
    services: Services,
    person: PersonView | None,
    t: Translate,
) -> None:
    if person is None:
        return
    key = (command.args or "").strip() or None
    target = await _target(services, person, key, t)
    if isinstance(target, str):
        await message.answer(target)
        return
    changed = await services.people.set_back(target.id, services.clock.now())
    await message.answer(t("away.back" if changed else "away.not_away", name=target.full_name))
