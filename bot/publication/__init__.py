"""The publication worker (п.16): carries out the jobs written with approvals, within VK's
and Telegram's limits, beside the outbox sender."""

from bot.publication.vk_client import VkApiError, VkClient, VkTransportError
from bot.publication.worker import PublicationWorker, VkTokens

__all__ = ["PublicationWorker", "VkApiError", "VkClient", "VkTokens", "VkTransportError"]
