from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from artsprize.common.i18n import localized
from artsprize.common.models import TimeStampedModel
from judging.enums import AwardKind

# The longest citation, in characters, in each language.
CITATION_MAX_LENGTH = 2000
# The most entries one award type may go to.
MOST_PLACES = 100


class AwardType(TimeStampedModel):
    """An award a round gives: a category's winner or runner-up, honourable
    mentions, or a special award ("Justice Centre Choice", "Youth Award"), for
    one category or for all, to as many entries as ``places``."""

    round = models.ForeignKey(
        "submissions.Round",
        on_delete=models.PROTECT,
        related_name="award_types",
        verbose_name=_("round"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(
        _("kind"), max_length=24, choices=AwardKind.choices, default=AwardKind.SPECIAL
    )
    # Either name may be typed first; the round is decided only with both.
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    name_zh_hant = models.CharField(_("name (Chinese)"), max_length=120, blank=True)
    category = models.ForeignKey(
        "submissions.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
        help_text=_(
            "A category winner or runner-up is of one category; a special award "
            "or an honourable mention may be of one category or of all."
        ),
    )
    prize_en = models.CharField(_("prize (English)"), max_length=200, blank=True)
    prize_zh_hant = models.CharField(_("prize (Chinese)"), max_length=200, blank=True)
    places = models.PositiveSmallIntegerField(
        _("entries it goes to"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MOST_PLACES)],
        help_text=_(
            "How many entries may receive it: one, or several honourable mentions."
        ),
    )

    class Meta:
        verbose_name = _("award type")
        verbose_name_plural = _("award types")
        ordering = ("round_id", "position", "id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(places__gte=1), name="award_type_has_a_place"
            ),
        ]

    def __str__(self):
        return self.name or f"#{self.pk}"

    @property
    def name(self):
        return localized(self, "name")

    @property
    def prize(self):
        return localized(self, "prize")


class Award(models.Model):
    """An award type given to an entry, with the jury's citation in both
    languages (plain text)."""

    award_type = models.ForeignKey(
        AwardType,
        on_delete=models.CASCADE,
        related_name="awards",
        verbose_name=_("award"),
    )
    entry = models.ForeignKey(
        "submissions.Entry",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("entry"),
    )
    citation_en = models.TextField(
        _("citation (English)"), max_length=CITATION_MAX_LENGTH, blank=True
    )
    citation_zh_hant = models.TextField(
        _("citation (Chinese)"), max_length=CITATION_MAX_LENGTH, blank=True
    )
    created_at = models.DateTimeField(_("given"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("given by"),
    )

    class Meta:
        verbose_name = _("award given")
        verbose_name_plural = _("awards given")
        ordering = ("award_type_id", "created_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("award_type", "entry"), name="award_once_per_entry"
            ),
        ]

    def __str__(self):
        return f"{self.award_type_id}: {self.entry_id}"

    @property
    def citation(self):
        return localized(self, "citation")
