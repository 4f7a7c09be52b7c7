from django import template

from artsprize.news import selectors
from artsprize.news.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Markdown as the sanitised HTML of a post's text (artsprize.news.markdown)."""
    return render_markdown(text)


@register.inclusion_tag("news/_cover.html")
def news_cover(post, sizes="100vw", lazy=True, css_class=""):
    """The responsive ``<img>`` of a post's cover, or nothing without one."""
    return {
        "cover": selectors.cover(post),
        "sizes": sizes,
        "lazy": lazy,
        "css_class": css_class,
    }


@register.simple_tag
def news_cover_url(post):
    """The absolute URL of a post's largest web size (Open Graph), or ""."""
    sources = selectors.cover_sources(post)
    return sources[-1][0] if sources else ""
