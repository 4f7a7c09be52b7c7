"""The news section's reads: what the public sees, newest first, and the staff's
list."""

from django.core.files.storage import storages
from django.db.models import Case, Value, When

from artsprize.common.i18n import localized
from artsprize.news.enums import PostState
from artsprize.news.models import NewsPost

# The fields a list of posts shows: the long texts stay in the database.
LIST_FIELDS = (
    "pk",
    "slug",
    "title_en",
    "title_zh_hant",
    "summary_en",
    "summary_zh_hant",
    "cover_key",
    "cover_width",
    "cover_height",
    "cover_sizes",
    "cover_alt_en",
    "cover_alt_zh_hant",
    "state",
    "published_at",
    "corrected_at",
)


def published_posts():
    """Published posts, newest first (one query)."""
    return NewsPost.objects.filter(state=PostState.PUBLISHED).order_by(
        "-published_at", "-pk"
    )


def post_list():
    """Published posts for a list or a feed: without their long texts."""
    return published_posts().only(*LIST_FIELDS)


def latest_posts(count=3):
    """The ``count`` latest published posts, for the home page (one query)."""
    return list(post_list()[:count])


def posts_for_staff():
    """Every post: drafts, then scheduled, then published posts, each by their
    latest change."""
    order = Case(
        When(state=PostState.DRAFT, then=Value(0)),
        When(state=PostState.SCHEDULED, then=Value(1)),
        default=Value(2),
    )
    return NewsPost.objects.order_by(order, "-updated_at", "-pk").only(
        *LIST_FIELDS, "publish_at", "updated_at"
    )


def cover_sources(post):
    """The web sizes of ``post``'s cover as (URL, width, height), smallest first;
    empty without a cover. URLs of the public storage (presigned when it has no
    public base URL), computed without a query."""
    storage = storages["public"]
    return [
        (storage.url(size["key"]), size["width"], size["height"])
        for size in post.cover_sizes or []
    ]


def cover(post):
    """What an ``<img>`` of ``post``'s cover needs, or None without one."""
    sources = cover_sources(post)
    if not sources:
        return None
    url, width, height = sources[-1]
    return {
        "src": url,
        "srcset": ", ".join(f"{source} {w}w" for source, w, _h in sources),
        "width": width,
        "height": height,
        "alt": localized(post, "cover_alt"),
    }
