"""Webhook mode of the fake server: setWebhook, deleteWebhook, getWebhookInfo, and delivering
the queued updates by POSTing them to the webhook's URL, as Telegram does.

While a webhook is set, getUpdates is refused (409, like the real API) and the updates that
people's actions queue are POSTed one at a time, in order, with the secret token in the
`X-Telegram-Bot-Api-Secret-Token` header. An update is taken off the queue only when the
answer is a 2xx; otherwise (an error status, a refused or dropped connection) it is posted
again after `webhook_retry` seconds, like Telegram's retries. Every attempt is recorded in
`webhook_deliveries`.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

import aiohttp

from tests.support.fake_telegram.models import ApiError

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class WebhookDelivery:
    update_id: int
    url: str
    outcome: str  # "200", "401", … or the connection error's name


class _Webhook:
    """Mixed into FakeTelegram, whose update queue (`_updates`) it drains."""

    webhook_url: str | None
    webhook_secret: str | None
    webhook_retry: float
    webhook_deliveries: list[WebhookDelivery]
    _webhook_task: asyncio.Task[None] | None

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return await self._delete_webhook(params)
        if not url.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: bad webhook: HTTPS url must be provided for webhook")
        if params.get("drop_pending_updates") in (True, "true", "True"):
            self._updates.clear()
        self.webhook_url = url
        self.webhook_secret = params.get("secret_token") or None
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._deliver_updates())
        self._notify()
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates") in (True, "true", "True"):
            self._updates.clear()
        self.webhook_url = None
        self.webhook_secret = None
        self._notify()
        return True

    async def _get_webhook_info(self, _params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _refuse_polling_with_webhook(self) -> None:
        if self.webhook_url is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active;"
                " use deleteWebhook to delete the webhook first",
            )

    async def _deliver_updates(self) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as client:
            while not self._closing:
                url, secret = self.webhook_url, self.webhook_secret
                if url is None or not self._updates:
                    await self._wait_changed()
                    continue
                update = self._updates[0]
                headers = {SECRET_HEADER: secret} if secret else {}
                try:
                    async with client.post(url, json=update, headers=headers) as answer:
                        await answer.read()
                        outcome = str(answer.status)
                        delivered = 200 <= answer.status < 300
                except (aiohttp.ClientError, TimeoutError) as error:
                    outcome, delivered = type(error).__name__, False
                self.webhook_deliveries.append(WebhookDelivery(update["update_id"], url, outcome))
                if delivered:
                    if self._updates and self._updates[0] is update:
                        self._updates.pop(0)
                    self._notify()
                else:
                    await asyncio.sleep(self.webhook_retry)

    async def _wait_changed(self) -> None:
        changed = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), 1.0)

    async def _stop_webhook(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def webhook_delivered(self, update_id: int) -> bool:
        return any(
            d.update_id == update_id and d.outcome.startswith("2") for d in self.webhook_deliveries
        )
