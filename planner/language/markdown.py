"""Text shown exactly as typed where Streamlit renders Markdown (titles, messages, tables)."""

from __future__ import annotations

import re

# Characters that start Markdown anywhere in a line: emphasis, code, links and images, HTML,
# entities, maths, strikethrough, tables; a colon before a letter or a slash (":smile:",
# ":red[x]", "https://", which GitHub-flavoured Markdown would make a link) and "www.".
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>&$~|{}])|(:)(?=[A-Za-z_/])|(?<=[wW]{3})(\.)")
# What starts a block at the beginning of a line: headings, quotes, lists, rules.
_MARKDOWN_BLOCK = re.compile(r"^(\s*)(?:([#>+=-])|(\d+)([.)]))")
# Emoji codes (":smile:"), ":material/home:" and ":streamlit:" are replaced in the text after
# Markdown has been read, so a backslash cannot stop them: a word joiner (U+2060, invisible)
# after the first colon does.
_SHORTCODE = re.compile(r":(?=[\w+-][\w+/-]*:)")


def markdown_literal(text: str) -> str:
    """`text` for a place that renders Markdown (Streamlit's titles, messages and tables), so
    that it shows exactly as typed: CommonMark backslash escapes for everything that would start
    emphasis, code, a link or image, HTML, an entity, maths or a block, an invisible word joiner
    in emoji and icon codes; line breaks become spaces. Plain words, numbers, times and
    sentences stay as they are."""
    one_line = _SHORTCODE.sub(":\u2060", " ".join(str(text).splitlines()))
    escaped = _MARKDOWN_INLINE.sub(lambda m: "\\" + (m.group(1) or m.group(2) or m.group(3)), one_line)
    return _MARKDOWN_BLOCK.sub(
        lambda m: m.group(1) + ("\\" + m.group(2) if m.group(2) else m.group(3) + "\\" + m.group(4)), escaped
    )
