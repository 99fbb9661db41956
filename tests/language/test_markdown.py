"""Text typed by people, shown where Streamlit renders Markdown (planner.language.markdown
`markdown_literal`): exactly as typed, and nothing that would format, link or run."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from planner.language.markdown import markdown_literal

# -- text typed by people, shown where Markdown is rendered -----------------------------------

UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: a backslash before ASCII punctuation


@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=80))
def test_markdown_literal_shows_exactly_what_was_typed(text):
    shown = markdown_literal(text)
    assert "\n" not in shown
    # As typed, but for the invisible word joiners (U+2060) that break emoji and icon codes.
    assert UNESCAPE.sub(r"\1", shown).replace("\u2060", "") == " ".join(text.splitlines()).replace("\u2060", "")
    # Nothing left that would start emphasis, code, a link, HTML, maths or an emoji code.
    bare = UNESCAPE.sub("", shown)
    assert not re.search(r"[*_`\[\]<>$~|{}&]|:[A-Za-z_/]|[wW]{3}\.", bare)
    assert not re.search(r":[\w+-][\w+/-]*:", UNESCAPE.sub(r"\1", shown))  # what Streamlit reads as text


def test_markdown_literal_examples():
    assert markdown_literal("[Log in](https://evil.example)") == "\\[Log in\\](https\\://evil.example)"
    assert markdown_literal("![x](https://t.example/p.png)").startswith("!\\[x\\]")
    assert markdown_literal("# Big") == "\\# Big" and markdown_literal("1. item") == "1\\. item"
    assert markdown_literal(":red[alarm] :smile:") == "\\:red\\[alarm\\] :\u2060smile:"
    assert markdown_literal(":material/home: :streamlit:") == ":\u2060material/home: :\u2060streamlit:"
    # Bare addresses would become links in GitHub-flavoured Markdown.
    assert markdown_literal("see https://t.example or www.t.example") == "see https\\://t.example or www\\.t.example"
    # Ordinary text stays as it is.
    for plain in ("Visit of Bolzano to the Rathaus", "14:00–15:30, Rathaus Dortmund", "anna@dortmund.de (viewer)"):
        assert markdown_literal(plain) == plain
