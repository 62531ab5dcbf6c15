"""Posting to the intake API in tests, the row counts of a request that wrote nothing, and the
bad fields every intake schema must refuse."""

from __future__ import annotations

import json

from tests.intake.conftest import (
    AUTH,
)

NOTHING = {"incidents": 0, "events": 0, "outbox": 0, "duplicates": 0}


async def post(client, body, headers=AUTH):
    data = json.dumps(body, ensure_ascii=False).encode()
    return await client.post(
        "/api/v1/incidents", data=data, headers={"Content-Type": "application/json", **headers}
    )


BAD_FIELDS = [
    ({"source": "facebook"}, "source"),
    ({"source": None}, "source"),
    ({"source": ...}, "source"),
    ({"url": ...}, "url"),
    ({"url": "not a url"}, "url"),
    ({"url": "ftp://vk.com/wall-1_2"}, "url"),
    ({"url": "https://"}, "url"),
    ({"url": "https://vk.com/" + "a" * 2000}, "url"),
    ({"url": 42}, "url"),
    ({"text": 123}, "text"),
    ({"text": "я" * 50_001}, "text"),
    ({"text": "", "attachments": []}, "text"),
    ({"author_name": "x" * 301}, "author_name"),
    ({"author_url": "javascript:alert(1)"}, "author_url"),
    ({"attachments": "https://vk.com/photo1_2"}, "attachments"),
    ({"attachments": ["https://vk.com/photo1_2", "photo"]}, "attachments.1"),
    ({"attachments": [f"https://x.org/{i}" for i in range(51)]}, "attachments"),
    ({"published_at": "yesterday"}, "published_at"),
    ({"published_at": "2026-04-29T09:40:00"}, "published_at"),  # no time zone
    ({"published_at": "2026-04-29T12:00:00+03:00", "detected_at": ...}, "published_at"),
    ({"detected_at": "2026-04-29T10:30:00+03:00"}, "detected_at"),  # the future
    ({"detected_at": "2026-04-29T08:00:00+03:00"}, "detected_at"),  # before published_at
    ({"importance": "urgent"}, "importance"),
    ({"topic_hint": "т" * 201}, "topic_hint"),
    ({"external_id": ""}, "external_id"),
    ({"external_id": "e" * 201}, "external_id"),
    ({"detectedAt": "2026-04-29T09:45:00+03:00"}, "detectedAt"),  # unknown field
]
