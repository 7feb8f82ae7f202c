"""The Windows languages a provisioning policy can install on new Cloud PCs (pure data).

A policy's ``windowsSetting.locale`` ("Language & Region" in the admin center) is the
language/region tag of a Windows language pack, which Windows 365 installs at provisioning
(https://learn.microsoft.com/windows-365/enterprise/provide-localized-windows-experience).
The tags are those of the Windows language packs Microsoft Learn lists under "Available languages
for Windows" (https://learn.microsoft.com/windows-hardware/manufacture/desktop/available-language-packs-for-windows).

UNVERIFIED: Microsoft Learn's Windows 365 pages say "There are 38 Windows language packs available
for Windows 365" but the versions that could be read list no tags; this module takes the Windows
language pack list (which also holds the packs Windows 11 added: Basque, Catalan, Galician,
Indonesian, Vietnamese) and the English variants the admin center's list is reported to offer
(English (Australia), (Ireland), (New Zealand)), so that no value the admin center offers is refused.
Tags compare ignoring case, as Windows language tags do.
"""

from __future__ import annotations

from dataclasses import dataclass

from w365_provider.lookups.closest import closest, either, squash

__all__ = ["DOCUMENTATION", "LOCALES", "WindowsLanguage", "check_locale", "closest_locales", "locale_tags"]

DOCUMENTATION = "https://learn.microsoft.com/windows-hardware/manufacture/desktop/available-language-packs-for-windows"


@dataclass(frozen=True)
class WindowsLanguage:
    """One Windows language pack a Cloud PC can get at provisioning."""

    tag: str
    """The language/region tag ``windowsSetting.locale`` takes, for example ``en-GB``."""
    display_name: str
    """The name the documentation and the admin center show, for example ``English (United Kingdom)``."""


LOCALES: tuple[WindowsLanguage, ...] = (
    WindowsLanguage("ar-SA", "Arabic (Saudi Arabia)"),
    WindowsLanguage("eu-ES", "Basque (Basque)"),
    WindowsLanguage("bg-BG", "Bulgarian (Bulgaria)"),
    WindowsLanguage("ca-ES", "Catalan"),
    WindowsLanguage("zh-CN", "Chinese (Simplified, China)"),
    WindowsLanguage("zh-TW", "Chinese (Traditional, Taiwan)"),
    WindowsLanguage("hr-HR", "Croatian (Croatia)"),
    WindowsLanguage("cs-CZ", "Czech (Czech Republic)"),
    WindowsLanguage("da-DK", "Danish (Denmark)"),
    WindowsLanguage("nl-NL", "Dutch (Netherlands)"),
    WindowsLanguage("en-US", "English (United States)"),
    WindowsLanguage("en-GB", "English (United Kingdom)"),
    WindowsLanguage("en-AU", "English (Australia)"),  # UNVERIFIED: see the module's docstring
    WindowsLanguage("en-IE", "English (Ireland)"),  # UNVERIFIED
    WindowsLanguage("en-NZ", "English (New Zealand)"),  # UNVERIFIED
    WindowsLanguage("et-EE", "Estonian (Estonia)"),
    WindowsLanguage("fi-FI", "Finnish (Finland)"),
    WindowsLanguage("fr-CA", "French (Canada)"),
    WindowsLanguage("fr-FR", "French (France)"),
    WindowsLanguage("gl-ES", "Galician"),
    WindowsLanguage("de-DE", "German (Germany)"),
    WindowsLanguage("el-GR", "Greek (Greece)"),
    WindowsLanguage("he-IL", "Hebrew (Israel)"),
    WindowsLanguage("hu-HU", "Hungarian (Hungary)"),
    WindowsLanguage("id-ID", "Indonesian (Indonesia)"),
    WindowsLanguage("it-IT", "Italian (Italy)"),
    WindowsLanguage("ja-JP", "Japanese (Japan)"),
    WindowsLanguage("ko-KR", "Korean (Korea)"),
    WindowsLanguage("lv-LV", "Latvian (Latvia)"),
    WindowsLanguage("lt-LT", "Lithuanian (Lithuania)"),
    WindowsLanguage("nb-NO", "Norwegian, Bokmål (Norway)"),
    WindowsLanguage("pl-PL", "Polish (Poland)"),
    WindowsLanguage("pt-BR", "Portuguese (Brazil)"),
    WindowsLanguage("pt-PT", "Portuguese (Portugal)"),
    WindowsLanguage("ro-RO", "Romanian (Romania)"),
    WindowsLanguage("ru-RU", "Russian (Russia)"),
    WindowsLanguage("sr-Latn-RS", "Serbian (Latin, Serbia)"),
    WindowsLanguage("sk-SK", "Slovak (Slovakia)"),
    WindowsLanguage("sl-SI", "Slovenian (Slovenia)"),
    WindowsLanguage("es-MX", "Spanish (Mexico)"),
    WindowsLanguage("es-ES", "Spanish (Spain)"),
    WindowsLanguage("sv-SE", "Swedish (Sweden)"),
    WindowsLanguage("th-TH", "Thai (Thailand)"),
    WindowsLanguage("tr-TR", "Turkish (Turkey)"),
    WindowsLanguage("uk-UA", "Ukrainian (Ukraine)"),
    WindowsLanguage("vi-VN", "Vietnamese (Vietnam)"),
)
"""The languages, in the documentation's order."""

_BY_TAG = {language.tag.lower(): language for language in LOCALES}


def locale_tags() -> tuple[str, ...]:
    """Every tag ``windowsSetting.locale`` accepts, as the documentation spells it."""
    return tuple(language.tag for language in LOCALES)


def closest_locales(value: str, limit: int = 3) -> list[str]:
    """The tags closest to ``value``, best first: the same tag with ``_`` or spaces, a language's
    name (``German``, ``English (United Kingdom)``), the tags of the same language (``de-AT``:
    ``de-DE``), else the most similar tags."""
    squashed = squash(value)
    if not squashed:
        return []
    by_key = {squash(lang.tag): lang.tag for lang in LOCALES} | {squash(lang.display_name): lang.tag for lang in LOCALES}
    if squashed in by_key:
        return [by_key[squashed]]
    named = [lang.tag for lang in LOCALES if squash(lang.display_name).startswith(squashed)]
    language = value.replace("_", "-").split("-")[0].strip().lower()
    same = [lang.tag for lang in LOCALES if lang.tag.split("-")[0].lower() == language]
    return (named or same)[:limit] or closest(value, by_key, limit=limit, cutoff=0.6)


def check_locale(value: str) -> str | None:
    """``None`` when ``value`` is the tag of a Windows language a Cloud PC can get (any case);
    else the reason, naming the closest tags."""
    if value.lower() in _BY_TAG:
        return None
    close = closest_locales(value)
    hint = f"; did you mean {either(close)}?" if close else ""
    return (
        f"{value!r} is not a Windows language a Cloud PC can be provisioned with{hint} (use a language/region "
        f"tag such as en-US from {DOCUMENTATION})"
    )

