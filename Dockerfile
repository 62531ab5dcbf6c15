# The incident bot: `docker build -t incident-bot .`, then `docker run … incident-bot [COMMAND]`
# where COMMAND is any of `python -m bot` (run, migrate, doctor, directory import FILE, …).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/venv/bin:$PATH \
    DATABASE_URL=sqlite+aiosqlite:////data/bot.sqlite3

WORKDIR /app
# The dependencies first, pinned by constraints.txt, so that a code change reuses this layer.
COPY pyproject.toml constraints.txt README.md LICENSE ./
RUN python -m venv /venv \
    && /venv/bin/pip install --quiet -c constraints.txt --upgrade pip setuptools \
    && mkdir -p bot db handlers workflow \
    && touch bot/__init__.py db/__init__.py handlers/__init__.py workflow/__init__.py \
    && /venv/bin/pip install --quiet -c constraints.txt --no-build-isolation . \
    && /venv/bin/pip uninstall --quiet --yes incident-bot \
    && rm -rf bot db handlers workflow build *.egg-info

COPY alembic.ini ./
COPY workflow workflow
COPY db db
COPY bot bot
COPY handlers handlers
COPY locales locales
# The catalogues compiled now: the bot runs as a user who cannot write into /app.
RUN python -c "from bot.i18n import compile_catalogues; compile_catalogues()" \
    && test -f locales/ru/LC_MESSAGES/messages.mo \
    && python -m compileall -q bot db handlers workflow \
    && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin bot \
    && mkdir -p /data && chown bot:bot /data

# The source is used where it lies (/app on the path): the catalogues sit beside the code.
ENV PYTHONPATH=/app
USER bot
VOLUME ["/data"]
EXPOSE 8081
ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
