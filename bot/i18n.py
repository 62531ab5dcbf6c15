"""Translations: gettext catalogues in locales/, keyed by message keys, Russian first.

The workflow and the handlers speak in message keys (`incident.routed`) with parameters;
this module turns them into text in the reader's language. The `.po` files are the source;
their `.mo` files are compiled on load when missing or older, so a fresh clone needs no
build step. A locale's catalogue may be split by topic (`messages.po`, `reports.po`, …):
every `.po` file of a locale is one domain, and together they are that locale's catalogue
(a key must live in one file only).
"""

from __future__ import annotations

import gettext
import logging
from collections.abc import Mapping
from pathlib import Path
from string import Formatter
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"  # the main catalogue; topic catalogues sit beside it
# The one list of supported languages: the catalogues in locales/, DEFAULT_LOCALE in the
# settings and a person's `locale` in the directory file all accept exactly these.
LOCALES: tuple[str, ...] = ("ru", "en")
DEFAULT_LOCALE = "ru"  # the regulation's language, and the fallback for a missing key

log = logging.getLogger(__name__)


def catalogue_domains(locales_dir: Path = LOCALES_DIR) -> list[str]:
    """The main domain first, then the topic catalogues of the default locale by name."""
    found = {path.stem for path in locales_dir.glob(f"{DEFAULT_LOCALE}/LC_MESSAGES/*.po")}
    return [DOMAIN, *sorted(found - {DOMAIN})]


def compile_catalogues(locales_dir: Path = LOCALES_DIR) -> None:
    for po_path in sorted(locales_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as source:
            catalog = read_po(source, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as target:
            write_mo(target, catalog)


def catalogue_keys(locale: str, locales_dir: Path = LOCALES_DIR) -> dict[str, str]:
    """Every translated key of one locale with its text (untranslated ones left out)."""
    keys: dict[str, str] = {}
    for domain in catalogue_domains(locales_dir):
        po_path = locales_dir / locale / "LC_MESSAGES" / f"{domain}.po"
        if not po_path.exists():
            continue
        with po_path.open("rb") as source:
            catalog = read_po(source, locale=locale)
        keys.update(
            (str(message.id), str(message.string))
            for message in catalog
            if message.id and message.string and not message.fuzzy
        )
    return keys


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


class Translator:
    """Renders message keys; a missing key falls back to Russian, then to the key itself."""

    def __init__(
        self, locales_dir: Path = LOCALES_DIR, default_locale: str = DEFAULT_LOCALE
    ) -> None:
        compile_catalogues(locales_dir)
        self.default_locale = default_locale
        domains = catalogue_domains(locales_dir)
        self._catalogues = {locale: _joined(domains, locales_dir, locale) for locale in LOCALES}

    def locale_for(self, preferred: str | None) -> str:
        return preferred if preferred in self._catalogues else self.default_locale

    def text(self, key: str, locale: str | None = None, /, **params: Any) -> str:
        return self.render(key, params, locale)

    def render(self, key: str, params: Mapping[str, Any], locale: str | None = None) -> str:
        catalogue = self._catalogues[self.locale_for(locale)]
        template = catalogue.gettext(key)
        if template == key and locale != DEFAULT_LOCALE:
            template = self._catalogues[DEFAULT_LOCALE].gettext(key)
        if template == key:
            log.error("no translation for message key %r", key)
            return key
        try:
            return template.format_map(_Blanks(params))
        except (IndexError, ValueError, AttributeError):
            log.exception("message %r could not be filled with %r", key, sorted(params))
            return template


def _joined(domains: list[str], locales_dir: Path, locale: str) -> gettext.NullTranslations:
    """One locale's topic catalogues chained: a key not in one is looked up in the next."""
    main, *topics = domains
    joined = gettext.translation(main, localedir=locales_dir, languages=[locale])
    for domain in topics:
        joined.add_fallback(
            gettext.translation(domain, localedir=locales_dir, languages=[locale], fallback=True)
        )
    return joined


class _Blanks(dict[str, Any]):
    """A parameter a message does not carry this time shows as a dash, not as an error."""

    def __missing__(self, name: str) -> str:
        return "—"
