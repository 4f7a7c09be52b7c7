from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from artsprize.accounts.enums import Language
from judging.models.stages import Stage


class JudgeInvitation(models.Model):
    """Staff invite a judge by e-mail: a one-time link, valid until
    ``expires_at``, that creates an account or attaches to one and puts its
    holder on a stage's panel. Only the SHA-256 of the link's token is kept."""

    email = models.EmailField(_("e-mail address"))
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    stage = models.ForeignKey(
        Stage,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("stage"),
    )
    as_chair = models.BooleanField(_("as chair"), default=False)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("judge's invitation")
        verbose_name_plural = _("judges' invitations")
        ordering = ("-created_at", "-id")

    def __str__(self):
        return self.email
