"""Input rules for everything a person types into the room: messages and display names.

Pure Python. Text is normalized (NFKC) so that look-alike characters compare equal, control
and zero-width characters are stripped (they hide words from the blocklist and break layouts),
runs of whitespace collapse, and the limits apply to what is left. Nothing here escapes HTML:
pages render text with textContent, never as markup (docs/realtime.md)."""

import re
import unicodedata
from collections.abc import Iterable

MAX_MESSAGE_CHARS = 500
MAX_NAME_CHARS = 40
# Viewers may not pass for staff: staff carry a role badge, and these words in a name mislead.
_STAFF_WORDS = re.compile(r"\b(admin|administrator|moderator|mod|host|staff|official)\b", re.I)
# Zero-width and bidi formatting characters are category Cf; a few invisible ones are not.
_INVISIBLE = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
_SPACES = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"\n{3,}")


class TextRejected(ValueError):
    """The text breaks a rule; the message says which, in words a viewer understands."""


def _clean(raw: str, *, keep_newlines: bool) -> str:
    text = unicodedata.normalize("NFKC", raw)
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char == "\n" and keep_newlines:
            kept.append(char)
        elif char in "\t\r\n" or category == "Zs":
            kept.append(" ")
        elif category in {"Cc", "Cf", "Co", "Cs", "Cn"} or char in _INVISIBLE:
            continue
        else:
            kept.append(char)
    text = _SPACES.sub(" ", "".join(kept))
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _NEWLINES.sub("\n\n", text).strip()


def message_text(raw: str) -> str:
    """A chat message, question or answer as it will be stored and shown."""
    text = _clean(raw, keep_newlines=True)
    if not text:
        raise TextRejected("the message is empty")
    if len(text) > MAX_MESSAGE_CHARS:
        raise TextRejected(f"messages are limited to {MAX_MESSAGE_CHARS} characters")
    return text


def display_name(raw: str) -> str:
    """A viewer's display name: one line, 1 to 40 characters, not posing as staff."""
    name = _clean(raw, keep_newlines=False)
    if not name:
        raise TextRejected("choose a display name")
    if len(name) > MAX_NAME_CHARS:
        raise TextRejected(f"display names are limited to {MAX_NAME_CHARS} characters")
    if _STAFF_WORDS.search(name):
        raise TextRejected("display names may not pose as staff (admin, moderator, host…)")
    return name


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def blocked_word(text: str, blocklist: Iterable[str]) -> str | None:
    """The first blocklisted word or phrase in `text` (whole words, case-insensitive)."""
    folded = _folded(text)
    for word in blocklist:
        target = _folded(word).strip()
        if target and re.search(rf"(?<!\w){re.escape(target)}(?!\w)", folded):
            return word
    return None


def blocklist(words: Iterable[str]) -> list[str]:
    """The list a brand saves: cleaned, deduplicated (case-insensitively), order kept."""
    seen: set[str] = set()
    kept = []
    for word in words:
        cleaned = _clean(word, keep_newlines=False)
        if cleaned and cleaned.casefold() not in seen:
            seen.add(cleaned.casefold())
            kept.append(cleaned)
    return kept
