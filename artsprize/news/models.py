"""A news post: bilingual texts in Markdown, a cover image in the public
storage, and the state that decides whether the public sees it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from artsprize.common.i18n import localized
from artsprize.common.models import TimeStampedModel
from artsprize.news.enums import PostState


class NewsPost(TimeStampedModel):
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_zh_hant = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    summary_en = models.TextField(
        _("summary (English)"),
        max_length=500,
        blank=True,
        help_text=_("One or two sentences, shown in lists, feeds and when shared."),
    )
    summary_zh_hant = models.TextField(
        _("summary (Chinese)"),
        max_length=500,
        blank=True,
        help_text=_("One or two sentences, shown in lists, feeds and when shared."),
    )
    body_en = models.TextField(
        _("text (English)"), blank=True, help_text=_("Markdown; see the rules below.")
    )
    body_zh_hant = models.TextField(
        _("text (Chinese)"), blank=True, help_text=_("Markdown; see the rules below.")
    )
    slug = models.SlugField(
        _("address"),
        max_length=80,
        unique=True,
        allow_unicode=False,
        help_text=_(
            "The end of the post's address: lower-case letters, digits and "
            "hyphens. Left empty, it is made from the English title."
        ),
    )
    # The cover: the key of its largest web size in the public storage, that
    # size's pixels, and every size made, as [{"width", "height", "key"}],
    # smallest first.
    cover_key = models.CharField(_("cover"), max_length=200, blank=True)
    cover_width = models.PositiveIntegerField(null=True, blank=True)
    cover_height = models.PositiveIntegerField(null=True, blank=True)
    cover_sizes = models.JSONField(default=list, blank=True)
    cover_alt_en = models.CharField(
        _("cover description (English)"),
        max_length=300,
        blank=True,
        help_text=_("What the picture shows, for people who cannot see it."),
    )
    cover_alt_zh_hant = models.CharField(
        _("cover description (Chinese)"),
        max_length=300,
        blank=True,
        help_text=_("What the picture shows, for people who cannot see it."),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=PostState.choices, default=PostState.DRAFT
    )
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    corrected_at = models.DateTimeField(_("corrected"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("news post")
        verbose_name_plural = _("news posts")
        indexes = [
            models.Index(fields=["state", "-published_at"], name="news_published"),
            models.Index(fields=["state", "publish_at"], name="news_due"),
        ]

    def __str__(self):
        return localized(self, "title") or self.slug

    @property
    def is_published(self):
        return self.state == PostState.PUBLISHED
