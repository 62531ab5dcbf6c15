"""Start-up against the outside world: the database and Telegram.

What an operator can fix is told in one line, without a traceback, and the process exits
with code 2 (`StartupError`, printed by bot/cli.py like a wrong setting): a database that
does not answer (naming DATABASE_URL, its password hidden) or a token Telegram refuses.
Telegram not answering at all is different: the network or Telegram itself may come back,
so the bot says so once and keeps asking, waiting longer each time, and comes up when it
answers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import User
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import SettingsError
from db.engine import DatabaseUnreachable, check_connection, create_engine

log = logging.getLogger("bot.startup")

FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 60.0


class StartupError(SettingsError):
    """A problem the operator must fix before the bot can start: one line, exit code 2
    (a SettingsError, so that the command line reports both the same way)."""


def _shown_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a URL the settings let through but SQLAlchemy cannot parse
        return "(unparsable)"


def _database_message(url: str, reason: str) -> str:
    return f"cannot connect to the database at DATABASE_URL={_shown_url(url)}: {reason}"


async def open_database(url: str) -> AsyncEngine:
    """An engine whose database has answered; StartupError naming DATABASE_URL otherwise."""
    try:
        engine = create_engine(url)
    except OSError as error:  # the SQLite file's folder cannot be made
        raise StartupError(_database_message(url, str(error))) from None
    try:
        await check_connection(engine)
    except DatabaseUnreachable as error:
        await engine.dispose()
        raise StartupError(_database_message(url, str(error))) from None
    return engine


def _unreachable_reason(error: Exception) -> str:
    return " ".join(str(error).split())[:200] or type(error).__name__


async def reach_telegram(
    bot: Bot,
    api_base: str,
    *,
    first_delay: float = FIRST_RETRY_SECONDS,
    max_delay: float = MAX_RETRY_SECONDS,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> User:
    """The bot's own account (getMe), once Telegram answers.

    Unreachable, a server error or a proxy's garbage: one warning, then retries with the
    delay doubling from `first_delay` up to `max_delay`. A refused token: StartupError.
    """
    delay = first_delay
    attempts = 0
    while True:
        attempts += 1
        try:
            me = await bot.me()
        except TelegramUnauthorizedError:
            raise StartupError(
                "Telegram refused the bot token (401 Unauthorized): check BOT_TOKEN in .env "
                "or the environment; @BotFather (/token) shows the current one"
            ) from None
        except TelegramNotFound:
            raise StartupError(
                f"Telegram at BOT_API_BASE={api_base} answered 404 Not Found to getMe: "
                "check BOT_TOKEN and BOT_API_BASE"
            ) from None
        except TelegramRetryAfter as error:
            wait = float(error.retry_after)
            reason = f"asked to retry after {error.retry_after} s"
        except (TelegramNetworkError, TelegramServerError, ClientDecodeError) as error:
            wait = delay
            delay = min(delay * 2, max_delay)
            reason = _unreachable_reason(error)
        except TelegramAPIError as error:
            raise StartupError(
                f"Telegram at BOT_API_BASE={api_base} refused getMe: {error.message}"
            ) from None
        else:
            if attempts > 1:
                log.info("Telegram answered after %d attempts", attempts)
            return me
        if attempts == 1:
            log.warning(
                "Telegram is not reachable at %s (%s); retrying, waiting up to %g s "
                "between attempts, until it answers",
                api_base,
                reason,
                max_delay,
            )
        else:
            log.debug("Telegram still not reachable (attempt %d): %s", attempts, reason)
        await sleep(wait)
