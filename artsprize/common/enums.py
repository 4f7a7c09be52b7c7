from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditVerb(models.TextChoices):
    CREATED = "created", _("created")
    UPDATED = "updated", _("updated")
    DELETED = "deleted", _("deleted")
    STATE_CHANGED = "state_changed", _("changed state")
    SCHEDULED = "scheduled", _("scheduled")
    UNSCHEDULED = "unscheduled", _("unscheduled")
    DEADLINE_CHANGED = "deadline_changed", _("changed the deadline")
    ROLE_GRANTED = "role_granted", _("granted a role")
    ROLE_REVOKED = "role_revoked", _("revoked a role")
    MFA_RESET = "mfa_reset", _("reset two-factor authentication")
    PICS_ACCEPTED = "pics_accepted", _("accepted the collection statement")
    ARTIST_REGISTERED = "artist_registered", _("registered an artist")
    CLAIM_INVITED = "claim_invited", _("invited an artist to claim their account")
    IDENTITY_REVEALED = "identity_revealed", _("revealed who made an entry")
