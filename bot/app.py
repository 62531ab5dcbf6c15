"""Assembly: settings → database → services → Bot and Dispatcher → polling, sender, timers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, SystemClock
from bot.deadlines.digests import DigestSender
from bot.deadlines.scanner import DeadlineScanner
from bot.deadlines.scheduler import DeadlineScheduler
from bot.http_endpoints import Endpoints, Webhook, build_http_app
from bot.i18n import Translator
from bot.intake.http_api import IntakeServer
from bot.intake.rules import TriageRulesCache, directory_rules_loader, rules_from_file
from bot.intake.service import IntakeService
from bot.metrics import Metrics, TimedScanner
from bot.outbox import OutboxSender, SenderOptions, notify_admins
from bot.outbox.election import run_elected
from bot.redis_support import redis_events_isolation, redis_fsm_storage
from bot.response_models import pin_response_models
from bot.services.incidents import IncidentService
from bot.services.lookups import Lookups
from bot.services.outbox_writer import OutboxWriter
from bot.services.people_service import PeopleService
from bot.services.replies import Replies
from bot.services.reports import ReportService
from bot.settings import Settings, SettingsError, require_token
from bot.views.callbacks import Act, CardCb
from bot.views.renderer import OutboxRenderer
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from db.notify import DIRECTORY, OUTBOX, directory_listener, listen
from handlers import admin, common, curator, executor, fallback, intake, reports
from handlers.context import IdentifyMiddleware, Services

log = logging.getLogger(__name__)


def _open_card_data(incident_id: int) -> str:
    """The button of a flood summary that opens one incident's card."""
    return CardCb(incident=incident_id, act=Act.OPEN).pack()


def create_bot(settings: Settings) -> Bot:
    token = require_token(settings)
    pin_response_models()
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram.api_base))
    return Bot(
        token=token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def create_dispatcher(
    services: Services,
    storage: BaseStorage | None = None,
    events_isolation: BaseEventIsolation | None = None,
) -> Dispatcher:
    # Guided steps live in memory: one polling process per token (ARCHITECTURE.md); a step
    # lost in a restart wrote nothing, so it is simply started again. Several processes
    # share them in Redis (dispatcher_storage).
    dispatcher = Dispatcher(storage=storage or MemoryStorage(), events_isolation=events_isolation)
    identify = IdentifyMiddleware(services)
    dispatcher.message.outer_middleware(identify)
    dispatcher.callback_query.outer_middleware(identify)
    dispatcher.include_routers(
        intake.discussion,
        common.early,
        admin.registration,
        admin.router,
        curator.router,
        executor.router,
        reports.router,
        intake.router,
        common.router,
        fallback.router,
    )
    return dispatcher


def build_services(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    wake: asyncio.Event,
    on_committed: Callable[[], None] | None = None,
) -> Services:
    calendar_config = settings.calendar_config()
    translator = Translator(default_locale=settings.general.default_locale)
    incidents = IncidentService(
        sessions,
        clock,
        settings.policy(),
        calendar_config,
        default_locale=settings.general.default_locale,
        on_committed=on_committed or wake.set,
    )
    intake_service = IntakeService(incidents, sessions, clock, triage_rules(settings))
    return Services(
        incidents=incidents,
        people=PeopleService(sessions),
        reports=ReportService(sessions, clock, calendar_config),
        lookups=Lookups(sessions),
        replies=Replies(sessions, clock, settings.general.default_locale, wake.set),
        translator=translator,
        clock=clock,
        calendar_config=calendar_config,
        default_locale=settings.general.default_locale,
        intake=intake_service,
        discussion_chats=settings.discussion_chats(),
    )


def build_renderer(settings: Settings, clock: Clock) -> OutboxRenderer:
    """The views the sender renders rows with; the card's buttons come from the handlers'
    reading of what the core allows (wired here, the one place that knows both)."""
    return OutboxRenderer(
        Translator(default_locale=settings.general.default_locale),
        clock,
        settings.policy(),
        settings.calendar_config(),
    )


def dispatcher_storage(settings: Settings) -> tuple[BaseStorage | None, BaseEventIsolation | None]:
    """Redis's FSM storage and event isolation with REDIS_URL (several processes), else none."""
    url = settings.server.redis_url
    if url is None:
        return None, None
    if not settings.database.url.startswith("postgresql"):
        raise SettingsError(
            "REDIS_URL is for several processes, which need PostgreSQL"
            " (DATABASE_URL=postgresql+asyncpg://…); SQLite serves one process: unset REDIS_URL"
        )
    storage = redis_fsm_storage(url)
    return storage, redis_events_isolation(storage)


def triage_rules(settings: Settings) -> TriageRulesCache:
    """Topics with keywords from INTAKE_TOPICS_FILE, else each organisation's own topics
    (loaded on the first intake; `Services.intake.refresh()` after a directory import)."""
    ratio = settings.intake.duplicate_ratio
    if settings.intake.topics_file is not None:
        return TriageRulesCache.fixed(rules_from_file(settings.intake.topics_file, ratio))
    return TriageRulesCache(directory_rules_loader(ratio))


async def run_bot(settings: Settings, clock: Clock | None = None) -> int:
    bot = create_bot(settings)  # fails first, before anything is written, without a token
    storage, events_isolation = dispatcher_storage(settings)
    metrics = Metrics()
    metrics.watch(bot)
    engine = create_engine(settings.database.url)
    background: list[asyncio.Task[None]] = []
    scheduler: DeadlineScheduler | None = None
    intake_server: IntakeServer | None = None
    stop = asyncio.Event()
    try:
        await upgrade(engine)
        if settings.directory.file is not None:
            from bot.directory_cli import import_directory_file

            if await import_directory_file(engine, settings.directory.file) != 0:
                return 2
        sessions = create_session_factory(engine)
        wake = asyncio.Event()
        clock = clock or SystemClock()
        calendar_config = settings.calendar_config()
        scanner: DeadlineScanner = TimedScanner(
            sessions,
            clock,
            calendar_config,
            settings.alert_policy(),
            default_locale=settings.general.default_locale,
            metrics=metrics,
        )
        digests = DigestSender(
            sessions,
            clock,
            calendar_config,
            settings.alert_policy(),
            default_locale=settings.general.default_locale,
        )
        scheduler = DeadlineScheduler(
            scanner, digests, clock, tick_interval=settings.alerts.tick_interval
        )

        def committed() -> None:  # new rows: deliver them, and look at new deadlines
            wake.set()
            scheduler.poke()

        services = build_services(settings, sessions, clock, wake, committed)
        me = await bot.get_me()
        services.bot_username = me.username or ""
        dispatcher = create_dispatcher(services, storage, events_isolation)
        writer = OutboxWriter(settings.general.default_locale)
        sender = OutboxSender(
            sessions,
            bot,
            build_renderer(settings, services.clock),
            settings.sender_limits(),
            options=SenderOptions(
                poll_interval=settings.sender.poll_seconds,
                flood_threshold=settings.sender.flood_threshold,
            ),
            on_permanent_failure=notify_admins(writer, clock=services.clock),
            wake_event=wake,
            clock=services.clock,
            writer=writer,
            open_card_data=_open_card_data,
        )
        elected = run_elected(
            engine,
            sender.run,
            stop,
            interval=settings.server.election_seconds,
            on_change=metrics.sender_leader.set,
        )
        background.append(asyncio.create_task(elected, name="outbox-sender"))
        # Several processes: another's directory writes drop this one's cached directory,
        # and its new outbox rows wake this one's sender at once (if it is the sender).
        notices = {
            DIRECTORY: directory_listener(engine, services.intake.refresh),
            OUTBOX: wake.set,
        }
        background.append(asyncio.create_task(listen(engine, notices, stop), name="notices"))
        scheduler.start()
        intake_config = settings.intake_config()
        webhook = None
        if settings.server.webhook_url is not None:
            path = settings.server.webhook_path or ""
            webhook = Webhook(dispatcher, path, settings.server.secret())
        if intake_config.enabled or webhook is not None or settings.server.http_endpoints:
            endpoints = Endpoints(sessions, bot, metrics, services.clock)
            app = build_http_app(intake_config, services.intake, endpoints, metrics, bot, webhook)
            intake_server = IntakeServer(intake_config, app=app)
            await intake_server.start()
            log.info("HTTP server on %s:%s", intake_config.host, intake_server.port)
        if webhook is None:
            # A webhook left from an earlier run would refuse getUpdates (409).
            await bot.delete_webhook(drop_pending_updates=False)
            log.info(
                "starting long polling against %s as @%s", settings.telegram.api_base, me.username
            )
            await dispatcher.start_polling(bot, handle_signals=True)
        else:
            await serve_webhook(bot, dispatcher, settings, stop)
        return 0
    finally:
        stop.set()
        if intake_server is not None:
            await intake_server.stop()
        if scheduler is not None:
            await scheduler.shutdown()
        for task in background:
            # The sender finishes the requests on the way (cancelling them could send a
            # message twice); only a sender that does not stop in time is cancelled.
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=15)
            except (TimeoutError, Exception):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        await bot.session.close()
        await engine.dispose()


async def serve_webhook(
    bot: Bot, dispatcher: Dispatcher, settings: Settings, stop: asyncio.Event
) -> None:
    """Register the webhook with Telegram and serve it until SIGINT or SIGTERM (or `stop`).

    Every process sets the same URL; none deletes it on the way out, since the others (or
    this one, restarted) go on serving it.
    """
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await dispatcher.emit_startup(bot=bot, dispatcher=dispatcher)
    try:
        url = settings.server.webhook_url or ""
        await bot.set_webhook(
            url,
            secret_token=settings.server.secret(),
            allowed_updates=dispatcher.resolve_used_update_types(),
            drop_pending_updates=False,
        )
        log.info("serving the webhook %s as @%s", url, (await bot.me()).username)
        await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        await dispatcher.emit_shutdown(bot=bot, dispatcher=dispatcher)
