"""`python -m bot doctor`: is this installation ready to run, and if not, what to fix.

It checks, in order, the configuration, the database (reachable, its schema, an
administrator in the directory) and the Bot API (the token accepted, the privacy mode, the
bot's standing in every bound group and discussion group), and prints one line a finding,
in the administrator's language (DEFAULT_LOCALE): "✓" what is fine, "✗" what to fix and how.
Exit code 0 when nothing needs fixing, 1 otherwise. It only reads: nothing is written.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError
from aiogram.types import ChatMemberAdministrator, ChatMemberOwner, ChatMemberRestricted, User
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.directory import DirectoryInvalid, load_directory
from bot.i18n import DEFAULT_LOCALE, Translator
from bot.settings import Settings, SettingsError
from db.engine import create_engine, create_session_factory
from db.migrate import alembic_config
from db.uow import UnitOfWork
from workflow.roles import Role

EXIT_OK, EXIT_PROBLEMS = 0, 1
TIMEOUT = 10.0  # seconds for each connection and request

Say = Callable[..., str]


@dataclass(frozen=True, slots=True)
class Finding:
    ok: bool
    text: str

    def line(self) -> str:
        return f"{'✓' if self.ok else '✗'} {self.text}"


@dataclass(frozen=True, slots=True)
class Group:
    chat_id: int
    title: str
    discussion: bool = False


def _say_in(locale: str) -> Say:
    translator = Translator(default_locale=locale)

    def say(key: str, **params: Any) -> str:
        return translator.text(key, locale, **params)

    return say


def report_bad_settings(error: SettingsError, out: TextIO | None = None) -> int:
    """The configuration does not load: the one finding, with every variable to fix."""
    say = _say_in(DEFAULT_LOCALE)
    print(
        Finding(False, say("ops.doctor_settings_bad", error=error)).line(), file=out or sys.stdout
    )
    return EXIT_PROBLEMS


async def run_doctor(settings: Settings, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    say = _say_in(settings.general.default_locale)
    findings = await Doctor(settings, say).examine()
    for finding in findings:
        print(finding.line(), file=out)
    problems = sum(not finding.ok for finding in findings)
    print(
        say("ops.doctor_summary_problems", count=problems)
        if problems
        else say("ops.doctor_summary_ok"),
        file=out,
    )
    return EXIT_PROBLEMS if problems else EXIT_OK


class Doctor:
    def __init__(self, settings: Settings, say: Say, *, timeout: float = TIMEOUT) -> None:
        self.settings = settings
        self.say = say
        self.timeout = timeout
        self.findings: list[Finding] = []

    def ok(self, key: str, **params: Any) -> None:
        self.findings.append(Finding(True, self.say(key, **params)))

    def fix(self, key: str, **params: Any) -> None:
        self.findings.append(Finding(False, self.say(key, **params)))

    async def examine(self) -> list[Finding]:
        directory_admins = self._configuration()
        groups = await self._database(directory_admins)
        await self._bot_api(groups)
        return self.findings

    # --- configuration --------------------------------------------------------------------

    def _configuration(self) -> bool:
        """Checks the settings the doctor can judge alone; True when the directory file
        (imported at start) names an administrator."""
        self.ok("ops.doctor_settings_ok")
        if self.settings.telegram.bot_token is None:
            self.fix("ops.doctor_token_missing")
        path = self.settings.directory.file
        if path is None:
            return False
        try:
            spec = load_directory(path)
        except DirectoryInvalid as invalid:
            self.fix("ops.doctor_directory_file_bad", path=path, count=len(invalid.problems))
            return False
        self.ok("ops.doctor_directory_file_ok", path=path, people=len(spec.people))
        return any(Role.ADMIN.value in person.roles and person.active for person in spec.people)

    # --- database -------------------------------------------------------------------------

    async def _database(self, directory_admins: bool) -> list[Group]:
        url = make_url(self.settings.database.url)
        shown = url.render_as_string(hide_password=True)
        groups = [
            Group(chat_id, str(chat_id), discussion=True)
            for chat_id in sorted(self.settings.telegram.discussion_chats)
        ]
        if _sqlite_file_missing(self.settings.database.url):
            self.ok("ops.doctor_database_new", url=shown)
            self._admins(0, directory_admins)
            return groups
        engine = create_engine(self.settings.database.url)
        try:
            async with asyncio.timeout(self.timeout):
                async with engine.connect() as connection:
                    current = await connection.run_sync(_current_revision)
        except (SQLAlchemyError, OSError, TimeoutError) as error:
            self.fix("ops.doctor_database_unreachable", url=shown, error=_short(error))
            await engine.dispose()
            return groups
        try:
            heads = ScriptDirectory.from_config(alembic_config()).get_heads()
            if current is None or current not in heads:
                if current is not None and current not in _known_revisions():
                    self.fix("ops.doctor_database_newer", url=shown, revision=current)
                    return groups
                self.ok("ops.doctor_database_behind", url=shown)
                self._admins(0, directory_admins)
                return groups
            self.ok("ops.doctor_database_ok", url=shown)
            async with UnitOfWork(create_session_factory(engine)) as uow:
                snapshot = await uow.directory.snapshot()
            admins = len(snapshot.people_with_roles([Role.ADMIN]))
            self._admins(admins, directory_admins)
            bound = [
                Group(chat.chat_id, f"{chat.title or chat.chat_id} ({chat.org_code})")
                for chat in snapshot.chats
            ]
            return bound + groups
        finally:
            await engine.dispose()

    def _admins(self, in_database: int, in_directory_file: bool) -> None:
        if in_database:
            self.ok("ops.doctor_admins_ok", count=in_database)
        elif in_directory_file:
            self.ok("ops.doctor_admins_from_file")
        else:
            self.fix("ops.doctor_admins_missing")

    # --- Bot API ------------------------------------------------------------------------------

    async def _bot_api(self, groups: list[Group]) -> None:
        token = self.settings.telegram.bot_token
        if token is None:
            return
        base = self.settings.telegram.api_base
        session = AiohttpSession(api=TelegramAPIServer.from_base(base))
        bot = Bot(token.get_secret_value(), session=session)
        try:
            try:
                me = await bot.get_me(request_timeout=int(self.timeout))
            except TelegramUnauthorizedError:
                self.fix("ops.doctor_token_refused")
                return
            except (TelegramAPIError, OSError, TimeoutError) as error:
                self.fix("ops.doctor_api_unreachable", url=base, error=_short(error))
                return
            self.ok("ops.doctor_api_ok", username=me.username or me.id)
            privacy = not me.can_read_all_group_messages
            blind = [group for group in groups if not await self._group(bot, me, group, privacy)]
            if not privacy:
                self.ok("ops.doctor_privacy_off")
            elif blind or not groups:
                self.fix("ops.doctor_privacy_on")
            else:
                self.ok("ops.doctor_privacy_on_admin")
        finally:
            await session.close()

    async def _group(self, bot: Bot, me: User, group: Group, privacy: bool) -> bool:
        """Report the bot's standing in one group; False when it cannot see what is typed
        there because of the privacy mode (its other problems are reported here)."""
        kind = "ops.doctor_group_discussion" if group.discussion else "ops.doctor_group_bound"
        name = self.say(kind, title=group.title)
        try:
            member = await bot.get_chat_member(
                group.chat_id, me.id, request_timeout=int(self.timeout)
            )
        except (TelegramAPIError, OSError, TimeoutError) as error:
            self.fix("ops.doctor_group_unreachable", group=name, error=_short(error))
            return True
        if member.status in ("left", "kicked"):
            self.fix("ops.doctor_group_not_member", group=name)
            return True
        if isinstance(member, ChatMemberRestricted) and not (
            member.can_send_messages and member.can_send_photos and member.can_send_documents
        ):
            self.fix("ops.doctor_group_restricted", group=name)
            return True
        if isinstance(member, ChatMemberAdministrator | ChatMemberOwner):
            self.ok("ops.doctor_group_admin", group=name)
            return True
        if privacy:
            self.fix("ops.doctor_group_blind", group=name)
            return False
        self.ok("ops.doctor_group_member", group=name)
        return True


def _sqlite_file_missing(database_url: str) -> bool:
    """A new installation: the bot creates the SQLite file on its first start."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return False
    return not Path(url.database).exists()


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _known_revisions() -> set[str]:
    from db.migrate import revisions

    return set(revisions())


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:300]
