"""The deployment files: the Dockerfile, compose.yaml, the systemd unit and the proxies.

The files are checked on every run; the image is built and run where a Docker daemon is
reachable (skipped with the reason otherwise, e.g. on a machine without one)."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
UNIT = (ROOT / "deploy" / "incident-bot.service").read_text(encoding="utf-8")
# Settings another part of the deployment reads (multi-process mode), not Settings' own.
OTHER_VARIABLES = {"REDIS_URL"}


def test_dockerfile_slim_non_root_pinned_with_the_catalogues_compiled():
    assert re.search(r"^FROM python:3\.11-slim\b", DOCKERFILE, re.M)
    assert "-c constraints.txt" in DOCKERFILE
    assert "compile_catalogues()" in DOCKERFILE and "messages.mo" in DOCKERFILE
    users = re.findall(r"^USER (\S+)$", DOCKERFILE, re.M)
    assert users and users[-1] not in ("root", "0")
    assert 'ENTRYPOINT ["python", "-m", "bot"]' in DOCKERFILE
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", ".venv", "data", ".git"} <= set(ignored)  # no secrets, no local state


def test_compose_runs_the_bot_with_postgresql_and_redis_healthy_and_kept():
    services = COMPOSE["services"]
    assert {"bot", "db", "redis"} <= set(services)
    for name in ("bot", "db", "redis"):
        assert services[name]["healthcheck"]["test"], name
        assert services[name]["restart"] == "unless-stopped", name
        assert services[name]["volumes"], f"{name} keeps its data in a volume"
    bot = services["bot"]
    assert "/healthz" in " ".join(bot["healthcheck"]["test"])
    assert bot["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://bot:")
    assert "@db:5432/incidents" in bot["environment"]["DATABASE_URL"]
    assert all(port.startswith("127.0.0.1:") for port in bot["ports"])  # the proxy is the door
    unknown = set(bot["environment"]) - set(Settings.env_names()) - OTHER_VARIABLES
    assert unknown == set(), "compose.yaml sets variables the bot does not read"
    assert "bot-data:/data" in bot["volumes"]
    assert "db-data:/var/lib/postgresql/data" in services["db"]["volumes"]
    # The proxy's fixed address is the one the bot believes X-Forwarded-For from.
    proxy = services["proxy"]
    assert (
        proxy["networks"]["default"]["ipv4_address"] == bot["environment"]["INTAKE_TRUSTED_PROXIES"]
    )


def test_systemd_unit_restarts_for_ever_and_stops_gently():
    assert "ExecStart=/opt/incident-bot/.venv/bin/python -m bot run" in UNIT
    assert "Restart=always" in UNIT and "StartLimitIntervalSec=0" in UNIT
    assert "KillSignal=SIGINT" in UNIT
    assert re.search(r"^User=incident-bot$", UNIT, re.M)
    if shutil.which("systemd-analyze") is None:
        return
    checked = subprocess.run(
        ["systemd-analyze", "verify", str(ROOT / "deploy" / "incident-bot.service")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    problems = [
        line
        for line in checked.stderr.splitlines()
        if line.strip() and "is not executable" not in line  # the venv is not here
    ]
    assert problems == []


@pytest.mark.parametrize("name", ["Caddyfile", "nginx.conf"])
def test_proxies_pass_the_intake_and_vk_callback_and_keep_metrics_inside(name):
    text = (ROOT / "deploy" / name).read_text(encoding="utf-8")
    assert "8081" in text and "/vk/callback" in text
    assert re.search(r"/metrics.*\n?.*404|404.*/metrics", text) or "respond @internal 404" in text
    assert "X-Forwarded-For" in text


def _docker_ready() -> str | None:
    """None when a Docker daemon answers; else why the image test is skipped."""
    if shutil.which("docker") is None:
        return "docker is not installed"
    try:
        info = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return "the Docker daemon does not answer"
    if info.returncode != 0:
        return f"no Docker daemon: {info.stderr.strip().splitlines()[-1:]}"
    return None


@pytest.mark.skipif(_docker_ready() is not None, reason=str(_docker_ready()))
def test_the_image_builds_and_runs_doctor_as_a_non_root_user():
    tag = f"incident-bot-test:{uuid.uuid4().hex[:8]}"
    built = subprocess.run(
        ["docker", "build", "-t", tag, str(ROOT)], capture_output=True, text=True, timeout=1200
    )
    if built.returncode != 0 and re.search(r"pull|registry|resolve|network", built.stderr, re.I):
        pytest.skip(f"the base image cannot be fetched: {built.stderr.strip()[-300:]}")
    assert built.returncode == 0, built.stderr[-3000:]
    try:
        uid = subprocess.run(
            ["docker", "run", "--rm", "--entrypoint", "id", tag, "-u"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert uid.stdout.strip() not in ("", "0")
        doctor = subprocess.run(
            ["docker", "run", "--rm", tag, "doctor"], capture_output=True, text=True, timeout=300
        )
        assert doctor.returncode == 1, doctor.stdout + doctor.stderr
        assert "✗ BOT_TOKEN не задан" in doctor.stdout
        assert "✓ Настройки прочитаны" in doctor.stdout  # the catalogues are in the image
    finally:
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, timeout=120)
