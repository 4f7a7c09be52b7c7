from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from artsprize.common.i18n import localized
from artsprize.common.models import TimeStampedModel


class Publication(TimeStampedModel):
    """The publishing of a round's results: the texts staff write for the
    results post (the winners and citations are added to them), the post news
    made of them, and when the gallery opened. Made when staff first review
    the publication; ``judging.services.publishing`` does the rest."""

    round = models.OneToOneField(
        "submissions.Round",
        on_delete=models.PROTECT,
        related_name="publication",
        verbose_name=_("round"),
    )
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_zh_hant = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    summary_en = models.TextField(_("summary (English)"), max_length=500, blank=True)
    summary_zh_hant = models.TextField(
        _("summary (Chinese)"), max_length=500, blank=True
    )
    intro_en = models.TextField(
        _("introduction (English)"), max_length=10000, blank=True
    )
    intro_zh_hant = models.TextField(
        _("introduction (Chinese)"), max_length=10000, blank=True
    )
    post = models.ForeignKey(
        "news.NewsPost",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("results post"),
    )
    # The work whose image is the post's cover, so that the cover follows it
    # when its artist takes the work out of public view.
    cover_entry_id = models.PositiveIntegerField(
        _("work on the cover"), null=True, blank=True
    )
    requested_at = models.DateTimeField(_("publishing asked"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("publishing asked by"),
    )
    gallery_opened_at = models.DateTimeField(_("gallery opened"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("publication of results")
        verbose_name_plural = _("publications of results")

    def __str__(self):
        return f"{self.round_id}"

    @property
    def title(self):
        return localized(self, "title")
