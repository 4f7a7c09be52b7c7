from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artsprize.common.enums import AuditVerb


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or remove an audit event."""


# What an event keeps as the actor of a person whose account was deleted.
ERASED_ACTOR = "(erased)"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("Audit events cannot be changed.")

    def delete(self):
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")

    def forget_names(self, *, actor=False, obj=False):
        """Erase the names these events keep of a person whose account was
        deleted (data protection): the actor's address (``actor``, which becomes
        ``ERASED_ACTOR``), the object's
        name, which becomes its ID (``obj``). Nothing else of an event changes;
        on PostgreSQL the append-only trigger lets exactly this through."""
        fields = {}
        if actor:
            fields.update(actor=None, actor_repr=ERASED_ACTOR)
        if obj:
            fields["object_repr"] = Concat(Value("#"), F("object_id"))
        return models.QuerySet.update(self, **fields) if fields else 0

    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )


class AuditEvent(models.Model):
    """Who did what to which object, from which state to which, and when."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text so that the record survives the actor's account being removed.
    actor_repr = models.CharField(_("who"), max_length=254, blank=True)
    verb = models.CharField(_("what"), max_length=32, choices=AuditVerb.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), on_delete=models.PROTECT
    )
    object_id = models.CharField(_("object ID"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    from_state = models.CharField(_("from"), max_length=32, blank=True)
    to_state = models.CharField(_("to"), max_length=32, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]
        default_permissions = ("view",)

    def __str__(self):
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_repr} {self.verb} {self.object_repr}"
        )

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")


class OutboxMessage(models.Model):
    """A task that must run because a change was committed (a mail, processing a
    file): written in the transaction of the change, handed to the broker after the
    commit, and handed again by the sweeper until a worker has done it. See
    ``artsprize.common.outbox``."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    options = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    # The last time the message was handed to the broker (at first, the commit).
    sent_at = models.DateTimeField(default=timezone.now)
    sends = models.PositiveIntegerField(default=1)
    # When a worker last took it (tasks that are not mails).
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["sent_at"],
                condition=models.Q(done_at__isnull=True),
                name="outbox_pending",
            ),
            models.Index(
                fields=["done_at"],
                condition=models.Q(done_at__isnull=False),
                name="outbox_done",
            ),
        ]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"
