"""A fake VK API server on 127.0.0.1 for the publication tests (tests/publication/)."""

from tests.support.fake_vk.server import FakeVk, VkCall, VkComment

__all__ = ["FakeVk", "VkCall", "VkComment"]
