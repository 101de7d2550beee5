import pytest

from functions.chat.logic.text import (
    MAX_MESSAGE_CHARS,
    TextRejected,
    blocked_word,
    blocklist,
    display_name,
    message_text,
)


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("  hello   world ", "hello world"),
        ("zero\u200bwidth\u200d joiner\ufeff", "zerowidth joiner"),
        ("bell\x07 and\x1b escape", "bell and escape"),
        ("right\u202eto-left override", "rightto-left override"),
        ("\uff46\uff55\uff4c\uff4c", "full"),  # fullwidth letters: NFKC
        ("line\n\n\n\nbreaks", "line\n\nbreaks"),
        ("<b>bold</b> & <script>", "<b>bold</b> & <script>"),  # text, not HTML: kept as typed
    ],
)
def test_messages_are_normalized_and_stripped(raw, kept):
    assert message_text(raw) == kept


def test_the_500_character_limit_applies_after_stripping():
    assert len(message_text("a" * MAX_MESSAGE_CHARS + "\u200b" * 100)) == MAX_MESSAGE_CHARS
    with pytest.raises(TextRejected, match="500"):
        message_text("a" * (MAX_MESSAGE_CHARS + 1))


@pytest.mark.parametrize("raw", ["", "   ", "\u200b\u200b", "\x00\x01"])
def test_empty_after_stripping_is_refused(raw):
    with pytest.raises(TextRejected, match="empty"):
        message_text(raw)


def test_display_names_are_one_line_and_at_most_40_characters():
    assert display_name(" Ana\nMaria ") == "Ana Maria"
    with pytest.raises(TextRejected, match="40"):
        display_name("x" * 41)
    with pytest.raises(TextRejected):
        display_name("\u3164")  # a Hangul filler: looks like nothing


@pytest.mark.parametrize("name", ["Moderator", "the host", "ADMIN Bob", "Vitrine Staff"])
def test_viewers_cannot_pose_as_staff(name):
    with pytest.raises(TextRejected, match="staff"):
        display_name(name)


def test_hosted_words_that_only_contain_staff_words_are_fine():
    assert display_name("Ghostwriter") == "Ghostwriter"


def test_the_blocklist_matches_whole_words_whatever_the_case_or_width():
    words = ["scam", "free money"]
    assert blocked_word("this is a SCAM!", words) == "scam"
    assert blocked_word("\uff53\uff43\uff41\uff4d", words) == "scam"  # fullwidth
    assert blocked_word("get free money now", words) == "free money"
    assert blocked_word("scampi are tasty", words) is None


def test_a_saved_blocklist_is_cleaned_and_deduplicated():
    assert blocklist(["Scam", " scam ", "", "\u200b", "spam"]) == ["Scam", "spam"]
