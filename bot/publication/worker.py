"""Carries out the publication jobs (п.16) one by one, within VK's limits.

Every job is marked `sending` (committed) before its request and `posted` with its link
(committed) after, so that a restart, even after kill -9, finds where it stopped: a VK
request is repeated with the job's guid, which VK answers with the comment already made
instead of a second one; a Telegram message has no such key, so a job whose request may have
gone out is handed to the publisher to check rather than sent twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramRetryAfter

from bot.clock import Clock
from bot.publication.telegram import reply_in_group
from bot.publication.vk_client import PERMANENT_CODES, VkApiError, VkClient, VkTransportError
from bot.services.publication import PublicationService
from bot.services.publication_targets import Network, Target, vk_comment_link
from db.publication_repository import Job, JobState

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class VkTokens:
    group: str | None = None  # the community's access key: wall comments
    user: str | None = None  # an admin's user token: board topics


FetchMedia = Callable[[str], Awaitable[bytes]]  # a Telegram file id → its bytes


class NotConfigured(Exception):
    """The setting the job needs is gone (a token removed since the approval)."""


class PublicationWorker:
    def __init__(
        self,
        service: PublicationService,
        clock: Clock,
        *,
        vk: VkClient | None = None,
        tokens: VkTokens = VkTokens(),
        bot: Bot | None = None,
        fetch_media: FetchMedia | None = None,
        poll_interval: float = 2.0,
        wake: asyncio.Event | None = None,
        max_attempts: int = 8,
        base_delay: timedelta = timedelta(seconds=2),
    ) -> None:
        self._service = service
        self._clock = clock
        self._vk = vk
        self._tokens = tokens
        self._bot = bot
        self._fetch_media = fetch_media
        self._poll = poll_interval
        self._wake = wake
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._pause_until: datetime | None = None  # VK said "too many": everyone waits

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            if self._wake is not None:
                self._wake.clear()
            try:
                await self.run_once()
            except Exception:
                log.exception("publication: a pass over the jobs failed")
            waiters = [asyncio.create_task(stop.wait())]
            if self._wake is not None:
                waiters.append(asyncio.create_task(self._wake.wait()))
            try:
                await asyncio.wait(waiters, timeout=self._poll, return_when="FIRST_COMPLETED")
            finally:
                for waiter in waiters:
                    waiter.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await waiter

    async def run_once(self) -> int:
        """Carry out the jobs due now; how many were looked at."""
        if self._pause_until is not None and self._clock.now() < self._pause_until:
            return 0
        jobs = await self._service.due()
        for job in jobs:
            if self._pause_until is not None and self._clock.now() < self._pause_until:
                break
            await self._carry_out(job)
        return len(jobs)

    async def _carry_out(self, job: Job) -> None:
        if job.state == JobState.POSTED and job.url:
            await self._service.record(job, job.url)  # stopped between posting and recording
            return
        if job.state == JobState.SENDING and job.network == Network.TELEGRAM.value:
            log.warning("publication job %s: Telegram request interrupted; by hand", job.id)
            await self._service.fall_back(job, "uncertain")
            return
        if not await self._service.still_wanted(job):
            return
        if job.attempts >= self._max_attempts:
            await self._service.fall_back(job, "unreachable")
            return
        await self._service.mark(job, JobState.SENDING, attempted=True)
        try:
            url, left = await self._send(job)
        except VkApiError as error:
            if error.transient:
                await self._retry_later(job, error, pause=True)
                return
            problem = f"vk_{error.code}" if error.code in PERMANENT_CODES else "vk_other"
            log.warning("publication job %s: %s; by hand", job.id, error)
            await self._service.fall_back(job, problem, code=error.code)
            return
        except VkTransportError as error:
            await self._retry_later(job, error)
            return
        except TelegramRetryAfter as error:
            await self._retry_later(job, error, delay=timedelta(seconds=error.retry_after))
            return
        except TelegramNetworkError as error:
            log.warning("publication job %s: %s; may have been sent, by hand", job.id, error)
            await self._service.fall_back(job, "uncertain")
            return
        except TelegramAPIError as error:
            log.warning("publication job %s: Telegram refused: %s", job.id, error)
            await self._service.fall_back(job, "telegram_refused")
            return
        except NotConfigured:
            await self._service.fall_back(job, "not_configured")
            return
        log.info("publication job %s: published at %s", job.id, url)
        await self._service.record(job, url, media_left=left)

    async def _retry_later(
        self,
        job: Job,
        error: Exception,
        *,
        pause: bool = False,
        delay: timedelta | None = None,
    ) -> None:
        # Doubling per attempt: 2 s, 4 s, 8 s … up to about 4 minutes.
        delay = delay or self._base_delay * (2 ** min(job.attempts, 7))
        moment = self._clock.now() + delay
        if pause:
            self._pause_until = moment
        log.info("publication job %s: %s; again after %s", job.id, error, delay)
        await self._service.mark(job, JobState.PENDING, not_before=moment, error=str(error))

    async def _send(self, job: Job) -> tuple[str, int]:
        """The link of what was published, and how many attachments are left to the
        publisher (VK: all but the photos a user token could upload)."""
        target = Target(Network(job.network), dict(job.target))
        if target.network is Network.TELEGRAM:
            if self._bot is None:
                raise NotConfigured
            return await reply_in_group(self._bot, target.ids, job.text, job.media), 0
        token = self._tokens.user if target.network is Network.VK_BOARD else self._tokens.group
        if self._vk is None or not token:
            raise NotConfigured
        attachments = await self._photos(job, target)
        left = len(job.media) - len(attachments)
        if target.network is Network.VK_BOARD:
            comment_id = await self._vk.create_board_comment(
                token,
                group_id=int(target.ids["group_id"]),
                topic_id=int(target.ids["topic_id"]),
                message=job.text,
                guid=job.guid,
                attachments=attachments,
            )
        else:
            comment_id = await self._vk.create_wall_comment(
                token,
                owner_id=int(target.ids["owner_id"]),
                post_id=int(target.ids["post_id"]),
                message=job.text,
                guid=job.guid,
                reply_to_comment=target.ids.get("reply_to_comment"),
                attachments=attachments,
            )
        return vk_comment_link(target, comment_id), left

    async def _photos(self, job: Job, target: Target) -> list[str]:
        """The answer's photos uploaded to VK, when a user token allows it (VK lets only
        users upload photos for comments); without one they are left to the publisher."""
        photos = [item for item in job.media if item.get("kind") == "photo"]
        owner = target.ids.get("owner_id")
        group_id = target.ids.get("group_id") or (-int(owner) if owner else None)
        if not photos or not self._tokens.user or self._fetch_media is None or not group_id:
            return []
        assert self._vk is not None
        return [
            await self._vk.upload_wall_photo(
                self._tokens.user,
                group_id=int(group_id),
                content=await self._fetch_media(str(item["file_id"])),
            )
            for item in photos
        ]
