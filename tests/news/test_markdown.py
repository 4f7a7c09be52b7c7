"""A post's Markdown becomes HTML with only the allowed tags, attributes and
links: nothing typed into a post can run a script in a reader's browser."""

import pytest

from artsprize.news.markdown import render_markdown, sanitise

pytestmark = pytest.mark.unit


def test_markdown_renders_paragraphs_emphasis_lists_and_quotes():
    html = render_markdown(
        "A *quiet* **harbour**.\n\n- one\n- two\n\n1. first\n\n> A quote"
    )

    assert html == (
        "<p>A <em>quiet</em> <strong>harbour</strong>.</p>\n"
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
        "<ol>\n<li>first</li>\n</ol>\n"
        "<blockquote>\n<p>A quote</p>\n</blockquote>\n"
    )


def test_headings_start_at_h2_and_stop_at_h4():
    html = render_markdown("# One\n\n## Two\n\n### Three\n\n#### Four\n\n##### Five")

    assert html == (
        "<h2>One</h2>\n<h3>Two</h3>\n<h4>Three</h4>\n<h4>Four</h4>\n<h4>Five</h4>\n"
    )


def test_links_get_rel_and_only_web_and_mail_schemes():
    html = render_markdown(
        "[web](https://example.org/a) [mail](mailto:news@example.org) "
        "[bad](javascript:alert(1)) [data](data:text/html,hi) [vb](vbscript:x)"
    )

    assert html == (
        '<p><a href="https://example.org/a" rel="noopener noreferrer nofollow">web</a> '
        '<a href="mailto:news@example.org" rel="noopener noreferrer nofollow">mail</a> '
        "[bad](javascript:alert(1)) [data](data:text/html,hi) [vb](vbscript:x)</p>\n"
    )


def test_html_typed_in_the_text_is_shown_as_typed():
    html = render_markdown(
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
        '<iframe src="https://evil.example"></iframe>\n\n<style>p{}</style>'
    )

    assert "<script" not in html
    assert "<img" not in html
    assert "<iframe" not in html
    assert "<style" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_image_in_the_text_shows_its_description_only():
    assert render_markdown("![A harbour at dusk](https://example.org/a.jpg)") == (
        "<p>A harbour at dusk</p>\n"
    )


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>hi<script>alert(1)</script></p>", "<p>hi</p>"),
        ('<p onclick="x()">hi</p>', "<p>hi</p>"),
        ('<img src="x" onerror="alert(1)">', ""),
        ('<iframe src="https://evil.example"></iframe><p>a</p>', "<p>a</p>"),
        ("<style>body{display:none}</style><p>a</p>", "<p>a</p>"),
        ('<p style="color:red">a</p>', "<p>a</p>"),
        (
            '<a href="javascript:alert(1)">x</a>',
            '<a rel="noopener noreferrer nofollow">x</a>',
        ),
        (
            '<a href="https://e.org" target="_blank" onmouseover="x">x</a>',
            '<a href="https://e.org" rel="noopener noreferrer nofollow">x</a>',
        ),
        ("<h1>big</h1><h5>small</h5>", "bigsmall"),
    ],
)
def test_the_sanitiser_keeps_only_the_allowed_html(dirty, clean):
    assert sanitise(dirty) == clean
