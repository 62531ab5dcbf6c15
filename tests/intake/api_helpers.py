"""Posting to the intake API in tests, and the row counts of a request that wrote nothing."""

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
