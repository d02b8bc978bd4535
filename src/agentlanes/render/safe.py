"""Make untrusted text (issue and PR titles, logins) safe inside GitHub Markdown.

GitHub Markdown would otherwise let a title break a table (``|``, newlines),
inject HTML or images that load remote content (``<img>``, ``![x](url)``),
ping people (``@someone``) or turn into links. ``md_text`` neutralises all of it
while keeping the text readable.
"""

from __future__ import annotations

import html
import re

# Characters that start emphasis, code, links, images, tables or strikethrough.
_SPECIAL = re.compile(r"([\\`*_\[\]|~!])")
_WHITESPACE = re.compile(r"\s+")
MAX_CELL = 120


def md_text(value: object, limit: int = MAX_CELL) -> str:
    """Escape ``value`` for a Markdown table cell or paragraph."""
    text = _WHITESPACE.sub(" ", str(value)).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    text = html.escape(text, quote=False)
    text = _SPECIAL.sub(r"\\\1", text)
    # A zero-width space after "@" stops GitHub from resolving a mention.
    return text.replace("@", "@&#8203;")


def md_code(value: object) -> str:
    """Show a path or identifier as inline code, safely fenced."""
    text = _WHITESPACE.sub(" ", str(value)).strip()
    text = html.escape(text, quote=False).replace("|", "&#124;")
    fence = "`"
    while fence in text:
        fence += "`"
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def mermaid_label(value: object) -> str:
    """Reduce a label to letters, digits and a few marks, so it cannot break out of a Mermaid string."""
    return re.sub(r"[^A-Za-z0-9 ._:/-]", "_", str(value))[:40]


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A Markdown table; cells must already be escaped."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


_SAFE_URL = re.compile(r"^https://[A-Za-z0-9.-]+(?::\d+)?/[A-Za-z0-9._~/%#?&=+-]*$")


def safe_url(url: str) -> bool:
    """Tell whether ``url`` is a plain https URL that cannot break out of a Markdown link or an HTML attribute."""
    return bool(_SAFE_URL.match(url or ""))


def md_link(text: str, url: str) -> str:
    """``[text](url)`` for a plain https URL, else the text alone; ``text`` must already be escaped."""
    return f"[{text}]({url})" if safe_url(url) else text


def fmt(value: float | int | None, digits: int = 1, suffix: str = "") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int):
        return f"{value}{suffix}"
    return f"{value:.{digits}f}{suffix}"


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"
