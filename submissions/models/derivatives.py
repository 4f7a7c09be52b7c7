from django.db import models
from django.utils.translation import gettext_lazy as _

from artsprize.common.models import TimeStampedModel
from submissions.enums import DerivativeKind
from submissions.models.entries import ArtworkFile


class Derivative(TimeStampedModel):
    """A copy made from an original, stripped of its metadata.

    The key is derived from the file and the kind alone, so that processing a file
    again overwrites the same object and the same row instead of adding a set.
    """

    artwork_file = models.ForeignKey(
        ArtworkFile,
        on_delete=models.CASCADE,
        related_name="derivatives",
        verbose_name=_("artwork file"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DerivativeKind.choices)
    key = models.CharField(_("object key"), max_length=300, unique=True)
    # The pages of a document are numbered from 1; other kinds have one copy, 0.
    index = models.PositiveSmallIntegerField(_("number"), default=0)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)

    class Meta:
        verbose_name = _("derivative")
        verbose_name_plural = _("derivatives")
        # By the column: by the relation, every query would join its row to
        # sort by that model's own ordering.
        ordering = ["artwork_file_id", "kind", "index"]
        constraints = [
            models.UniqueConstraint(
                fields=["artwork_file", "kind", "index"],
                name="one_derivative_per_kind_and_number",
            )
        ]

    def __str__(self):
        return self.key

    @staticmethod
    def key_for(artwork_file, kind, extension, index=0):
        name = f"{kind}-{index}" if index else kind
        return f"derivatives/{artwork_file.pk}/{name}.{extension}"


class PublicCopy(TimeStampedModel):
    """A copy of a work's image in the public location, for the gallery and the
    results post: made from a derivative (already without metadata) and encoded
    again, at one width, under a name that tells nothing of the work or the
    artist. Deleted with its object when the work leaves public view."""

    artwork_file = models.ForeignKey(
        ArtworkFile,
        on_delete=models.CASCADE,
        related_name="public_copies",
        verbose_name=_("artwork file"),
    )
    key = models.CharField(_("object key"), max_length=300, unique=True)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size = models.PositiveBigIntegerField(_("size"))

    class Meta:
        verbose_name = _("public copy")
        verbose_name_plural = _("public copies")
        ordering = ["artwork_file_id", "width"]
        constraints = [
            models.UniqueConstraint(
                fields=["artwork_file", "width"], name="one_public_copy_per_width"
            )
        ]

    def __str__(self):
        return self.key
