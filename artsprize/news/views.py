"""The public news pages: the list of published posts and a post's page, in the
visitor's language, with the tags that make a shared link show the post."""

from django.core.paginator import Paginator
from django.shortcuts import render

from artsprize.accounts.permissions import lookup, permission_required
from artsprize.common.pages import public_page
from artsprize.news import selectors
from artsprize.news.models import NewsPost

POSTS_PER_PAGE = 12
# The Open Graph locale of each language of the site.
OG_LOCALES = {"en": "en_GB", "zh-hant": "zh_HK"}


def share_tags(request, *, post=None):
    """What the Open Graph and Twitter tags of a page say: the page's absolute
    URL, its locale and the other one, and the absolute URL of the post's
    largest cover."""
    language = request.LANGUAGE_CODE
    image = ""
    if post is not None:
        sources = selectors.cover_sources(post)
        if sources:
            image = request.build_absolute_uri(sources[-1][0])
    return {
        "url": request.build_absolute_uri(request.path),
        "locale": OG_LOCALES.get(language, "en_GB"),
        "alternate_locale": "zh_HK" if language == "en" else "en_GB",
        "image": image,
    }


@public_page
def news_list(request):
    """Published posts, newest first, twelve a page."""
    page = Paginator(selectors.post_list(), POSTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "news/list.html",
        {"page": page, "posts": page.object_list, "share": share_tags(request)},
    )


@public_page
@permission_required(
    "news.view_post",
    obj=lookup(NewsPost.objects.all(), url_kwarg="slug", field="slug"),
    public=True,
)
def post_detail(request, post):
    """A published post; drafts and scheduled posts are not found here."""
    return render(request, "news/detail.html", post_context(request, post))


def post_context(request, post, *, preview=False):
    return {
        "post": post,
        "share": share_tags(request, post=post),
        "preview": preview,
    }
