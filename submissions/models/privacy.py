import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from artsprize.common.models import TimeStampedModel


class DataArchive(TimeStampedModel):
    """A copy of everything the portal holds of one person, as one ZIP archive in
    the private bucket, built by a worker and deleted when it expires.

    The archive is in preparation until it is ready or failed; a person has at
    most one in preparation. Its object key is random and holds no personal data.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="data_archives",
        verbose_name=_("person"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    key = models.CharField(_("object key"), max_length=300, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data archive")
        verbose_name_plural = _("data archives")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ready_at__isnull=True, failed_at__isnull=True),
                name="one_data_archive_in_preparation_per_person",
            )
        ]

    def __str__(self):
        return f"#{self.pk}"

    @property
    def in_preparation(self):
        return self.ready_at is None and self.failed_at is None
