"""Assembly: settings → database → services → Bot and Dispatcher → polling, sender, timers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, SystemClock
from bot.deadlines.digests import DigestSender
from bot.deadlines.report_schedule import ScheduledReports
from bot.deadlines.scanner import DeadlineScanner
from bot.deadlines.scheduler import DeadlineScheduler
from bot.fsm_storage import make_fsm_storage
from bot.housekeeping import Housekeeper
from bot.http_endpoints import Endpoints, Webhook, build_http_app
from bot.i18n import Translator
from bot.intake.http_api import IntakeServer
from bot.intake.service import IntakeService
from bot.metrics import Metrics, TimedScanner
from bot.outbox import OutboxSender, SenderOptions, notify_admins
from bot.outbox.election import run_elected
from bot.pages.jobs import JOB_ID as PAGES_JOB
from bot.pages.jobs import PageJobs
from bot.publication import PublicationWorker, VkClient
from bot.services.incidents import IncidentService
from bot.services.lookups import Lookups
from bot.services.outbox_writer import OutboxWriter
from bot.services.pages import PageService
from bot.services.people_service import PeopleService
from bot.services.period_reports import PeriodReports
from bot.services.post_changes import PostChanges
from bot.services.publication import PublicationPlanner, PublicationService
from bot.services.replies import Replies
from bot.services.reports import ReportService
from bot.services.step_news import StepNews, step_listener
from bot.settings import Settings
from bot.startup import open_database, reach_telegram
from bot.views.callbacks import Act, CardCb
from bot.views.renderer import OutboxRenderer
from bot.wiring import (
    community,
    create_bot,
    dispatcher_storage,
    publication_config,
    telegram_file,
    triage_rules,
    vk_tokens,
)
from db.engine import create_session_factory
from db.migrate import upgrade
from db.notify import DIRECTORY, OUTBOX, directory_listener, listen
from handlers import (
    admin,
    common,
    curator,
    executor,
    fallback,
    intake,
    pages,
    publication,
    reports,
)
from handlers.context import IdentifyMiddleware, Services
from handlers.gate import PressGate
from handlers.inline_filters import run_filters_inline

log = logging.getLogger(__name__)


def _open_card_data(incident_id: int) -> str:
    """The button of a flood summary that opens one incident's card."""
    return CardCb(incident=incident_id, act=Act.OPEN).pack()


def create_dispatcher(
    services: Services,
    storage: BaseStorage,
    events_isolation: BaseEventIsolation | None = None,
) -> Dispatcher:
    # Guided steps live in `storage` (bot/fsm_storage.py: the project's database; Redis with
    # several processes, dispatcher_storage) and survive a restart. One person's updates in
    # one chat are handled one at a time (an album's photos arrive together and each adds
    # itself to the same draft); across processes through Redis.
    dispatcher = Dispatcher(
        storage=storage, events_isolation=events_isolation or SimpleEventIsolation()
    )
    dispatcher["services"] = services  # for updates with no user to identify (channel posts)
    identify = IdentifyMiddleware(services)
    dispatcher.message.outer_middleware(identify)
    dispatcher.edited_message.outer_middleware(identify)  # a discussion comment edited
    dispatcher.callback_query.outer_middleware(identify)
    dispatcher.callback_query.outer_middleware(PressGate())  # every press checked at the press
    dispatcher.include_routers(
        intake.discussion,
        publication.router,
        common.early,
        admin.registration,
        admin.router,
        curator.router,
        executor.router,
        reports.everyone,
        reports.router,
        pages.router,
        pages.channel,
        intake.router,
        common.router,
        fallback.router,
    )
    run_filters_inline(dispatcher)
    return dispatcher


def build_services(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    wake: asyncio.Event,
    on_committed: Callable[[], None] | None = None,
    on_step: Callable[[StepNews], None] | None = None,  # bot/services/step_news.py
) -> Services:
    calendar_config = settings.calendar_config()
    translator = Translator(default_locale=settings.general.default_locale)
    publishing = publication_config(settings)
    incidents = IncidentService(
        sessions,
        clock,
        settings.policy(),
        calendar_config,
        default_locale=settings.general.default_locale,
        on_committed=wake.set if on_step is not None else on_committed or wake.set,
        card_chat_notices=settings.general.card_chat_notices,
        after_command=(PublicationPlanner(publishing),),  # п.16 job with the approval
        alert_policy=settings.alert_policy(),
        on_step=on_step,
    )
    intake_service = IntakeService(
        incidents, sessions, clock, triage_rules(settings), community=community(settings)
    )
    locale = settings.general.default_locale
    intake_service.post_changes = PostChanges(sessions, clock, locale, on_committed or wake.set)
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
        period_reports=PeriodReports(
            sessions,
            clock,
            calendar_config,
            settings.rating_weights(),
            default_locale=settings.general.default_locale,
            on_committed=wake.set,
            page_policy=settings.pages.policy(),
        ),
        discussion_chats=settings.discussion_chats(),
        pages=PageService(
            sessions, clock, calendar_config, settings.pages.policy(), on_committed or wake.set
        ),
        publication=PublicationService(
            sessions, clock, incidents, publishing, locale, on_committed or wake.set
        ),
    )


def build_renderer(settings: Settings, clock: Clock) -> OutboxRenderer:
    """The views the sender renders rows with; the card's buttons come from the handlers'
    reading of what the core allows (wired here, the one place that knows both)."""
    return OutboxRenderer(
        Translator(default_locale=settings.general.default_locale),
        clock,
        settings.policy(),
        settings.calendar_config(),
        settings.rating_weights(),
        settings.pages.policy(),
    )


async def run_bot(settings: Settings, clock: Clock | None = None) -> int:
    bot = create_bot(settings)  # fails first, before anything is written, without a token
    storage, events_isolation = dispatcher_storage(settings)
    metrics = Metrics()
    metrics.watch(bot)
    engine = await open_database(settings.database.url)  # one line naming DATABASE_URL
    background: list[asyncio.Task[None]] = []
    scheduler: DeadlineScheduler | None = None
    intake_server: IntakeServer | None = None
    vk: VkClient | None = None
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
        reports_on_schedule = ScheduledReports(
            sessions,
            clock,
            calendar_config,
            settings.alert_policy(),
            default_locale=settings.general.default_locale,
        )
        scheduler = DeadlineScheduler(
            scanner,
            digests,
            clock,
            tick_interval=settings.alerts.tick_interval,
            reports=reports_on_schedule,
        )

        publication_wake = asyncio.Event()

        def committed() -> None:  # new rows: deliver them, and look at new deadlines
            wake.set()
            scheduler.poke()
            publication_wake.set()

        stepped = step_listener(scheduler.poke, scheduler.expect, publication_wake.set)
        services = build_services(settings, sessions, clock, wake, committed, stepped)
        me = await reach_telegram(bot, settings.telegram.api_base)  # waits for Telegram
        services.bot_username = me.username or ""
        await services.intake.warm_up()
        dispatcher = create_dispatcher(
            services, storage or make_fsm_storage(settings, sessions), events_isolation
        )
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
        housekeeper = Housekeeper(sessions, services.clock, settings.retention_policy())
        background.append(asyncio.create_task(housekeeper.run(stop), name="housekeeping"))
        tokens = vk_tokens(settings)
        if tokens.group or tokens.user:
            vk = VkClient(settings.publication.vk_api_base, settings.publication.vk_api_version)
        assert services.publication is not None
        worker = PublicationWorker(
            services.publication,
            services.clock,
            vk=vk,
            tokens=tokens,
            bot=bot,
            fetch_media=telegram_file(bot),
            poll_interval=settings.publication.poll_seconds,
            wake=publication_wake,
        )
        background.append(asyncio.create_task(worker.run(stop), name="publication"))
        scheduler.start()
        page_jobs = PageJobs(
            sessions,
            clock,
            calendar_config,
            settings.pages.policy(),
            settings.alert_policy(),
            default_locale=settings.general.default_locale,
            on_written=wake.set,
        )
        scheduler.scheduler.add_job(  # beside the digests: duties, quota reminders, tables
            page_jobs.job,
            "interval",
            minutes=1,
            id=PAGES_JOB,
            next_run_time=clock.now(),
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            replace_existing=True,
        )
        intake_config = settings.intake_config()
        webhook = None
        if settings.server.webhook_url is not None:
            path = settings.server.webhook_path or ""
            webhook = Webhook(dispatcher, path, settings.server.secret())
        if intake_config.enabled or webhook is not None or settings.server.http_endpoints:
            endpoints = Endpoints(sessions, bot, metrics, services.clock)
            app = build_http_app(
                intake_config, services.intake, endpoints, metrics, bot, webhook, services.pages
            )
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
        if vk is not None:
            await vk.close()
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
