"""A post's text, written in Markdown, as the HTML the public reads.

markdown-it-py renders CommonMark with raw HTML turned off (HTML typed in the
text is shown as typed); nh3 then keeps only what the allow-list below names,
whatever the renderer produced. Allowed: paragraphs, line breaks, emphasis,
links (http, https and mailto only, each with rel="noopener noreferrer
nofollow"), lists, headings h2 to h4 (a Markdown ``#`` is an h2: the post's
title is the page's h1), block quotes, code and rules. No image: an image in
the text shows its description as text, so nothing is loaded from elsewhere
and the cover stays the post's one picture. No script, style, iframe or event
attribute ever survives.
"""

import nh3
from django.utils.html import escape
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "br",
    "em",
    "strong",
    "a",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "code",
    "pre",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"


def _heading_one_lower(renderer, tokens, idx, options, env):
    """``#`` is an h2, ``##`` an h3, anything deeper an h4."""
    token = tokens[idx]
    level = min(int(token.tag[1]) + 1, 4)
    if token.nesting == 1:
        return f"<h{level}>"
    return f"</h{level}>\n"


def _image_as_text(renderer, tokens, idx, options, env):
    token = tokens[idx]
    return escape("".join(child.content for child in token.children or ()))


def _renderer():
    md = MarkdownIt("commonmark", {"html": False, "linkify": False})
    md.add_render_rule("heading_open", _heading_one_lower)
    md.add_render_rule("heading_close", _heading_one_lower)
    md.add_render_rule("image", _image_as_text)
    return md


_MD = _renderer()


def sanitise(html):
    """``html`` with only the allowed tags, attributes and link schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(text):
    """The safe HTML of the Markdown ``text``."""
    if not text:
        return mark_safe("")
    return mark_safe(sanitise(_MD.render(text)))  # noqa: S308 (nh3 sanitised it)
