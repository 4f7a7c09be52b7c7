"""The news feeds: RSS 2.0 and Atom in each language of the site, with absolute
links (Django's syndication framework). Each lists the latest published posts,
newest first, in its own language whatever the reader's."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from artsprize.common.i18n import localized
from artsprize.news import selectors

FEED_LENGTH = 20


class NewsFeed(Feed):
    """Subclassed per language (``site_language``: a language code of the site;
    ``language``: the feed's own tag) and type (``feed_type``)."""

    site_language = "en"
    language = "en-GB"
    feed_type = Rss201rev2Feed

    def __call__(self, request, *args, **kwargs):
        with translation.override(self.site_language):
            return super().__call__(request, *args, **kwargs)

    def title(self):
        # As the pages' titles say it: the page's name, then the prize's.
        return f"{_('News')} · {_('Hong Kong Human Rights Arts Prize')}"

    def description(self):
        return _("News of the Hong Kong Human Rights Arts Prize.")

    def link(self):
        return reverse("news:list")

    def items(self):
        return selectors.post_list()[:FEED_LENGTH]

    def item_title(self, item):
        return localized(item, "title")

    def item_description(self, item):
        return localized(item, "summary")

    def item_link(self, item):
        return reverse("news:detail", kwargs={"slug": item.slug})

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.corrected_at or item.published_at


class AtomFeed(NewsFeed):
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description()


class EnglishRss(NewsFeed):
    pass


class EnglishAtom(AtomFeed):
    pass


class ChineseRss(NewsFeed):
    site_language = "zh-hant"
    language = "zh-HK"


class ChineseAtom(AtomFeed):
    site_language = "zh-hant"
    language = "zh-HK"


# The feeds' URL names, by language and type (for the pages' <link> tags).
FEED_URL_NAMES = {
    "en": {"rss": "news:feed_en_rss", "atom": "news:feed_en_atom"},
    "zh-hant": {"rss": "news:feed_zh_hant_rss", "atom": "news:feed_zh_hant_atom"},
}
