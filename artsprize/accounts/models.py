import rules
from django.contrib.auth.models import AbstractBaseUser, Group, PermissionsMixin
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import connections, models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from artsprize.accounts.enums import Language, Role
from artsprize.common.models import TimeStampedModel


class UserManager(DjangoUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        email = self.normalize_email(email).lower() if email else None
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def role_names_of(self, user_id):
        """The names of the roles (groups) of user ``user_id``.

        Every request that checks a permission reads them: the statement is the
        ORM's, compiled once for each database (compiling it took three quarters
        of the read).
        """
        with connections[self.db].cursor() as cursor:
            cursor.execute(_role_names_sql(self.db), [user_id])
            return frozenset(name for (name,) in cursor.fetchall())


_ROLE_NAMES_SQL = {}


def _role_names_sql(db):
    if db not in _ROLE_NAMES_SQL:
        names = Group.objects.using(db).filter(user__pk=0).values_list("name")
        _ROLE_NAMES_SQL[db], _params = names.query.get_compiler(db).as_sql()
    return _ROLE_NAMES_SQL[db]


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their e-mail address.

    An artist filed by a caseworker may have no e-mail address and no usable password.
    """

    email = models.EmailField(_("e-mail address"), unique=True, null=True, blank=True)
    is_staff = models.BooleanField(
        _("admin site access"),
        default=False,
        help_text=_("Whether the user can reach the Django admin site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=Language.choices,
        default=Language.ENGLISH,
    )
    # The person deleted their account: the row, without address, password or
    # profile, stays only while entries of theirs wait for their round's results.
    deleted_at = models.DateTimeField(_("account deleted at"), null=True, blank=True)

    objects = UserManager()

    # Whether this session passed two-factor sign-in: set on request.user by
    # TwoFactorMiddleware. Anywhere else (a task, the shell) nobody has passed it.
    passed_two_factor = False

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    # A role given or taken away is recorded in the audit log as its code.
    audit_state_choices = Role.choices

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.email or f"#{self.pk}"

    @cached_property
    def role_names(self):
        return User.objects.db_manager(self._state.db).role_names_of(self.pk)

    def has_role(self, role):
        if role == Role.STAFF and self.is_superuser:
            return True
        return role in self.role_names

    @property
    def is_portal_staff(self):
        return self.is_active and self.has_role(Role.STAFF)

    @property
    def is_judge(self):
        return self.is_active and self.has_role(Role.JUDGE)

    @property
    def is_caseworker(self):
        return self.is_active and self.has_role(Role.CASEWORKER)

    @property
    def needs_two_factor(self):
        """Staff and judges may not reach their pages without two-factor sign-in."""
        return (
            self.is_superuser or self.is_staff or self.is_portal_staff or self.is_judge
        )

    @property
    def lacks_second_factor(self):
        """Until their session passes two-factor sign-in, staff, judges and admins
        have an entrant's rights."""
        return self.needs_two_factor and not self.passed_two_factor

    def has_perm(self, perm, obj=None):
        if self.lacks_second_factor:
            # Neither the superuser's every-permission nor the model permissions
            # of the staff group: only the rules, whose staff and judge predicates
            # also ask for the second factor.
            return self.is_active and rules.has_perm(perm, self, obj)
        if not (self.is_superuser or self.has_role(Role.STAFF)):
            # Model permissions come only with the staff group (roles.py; the
            # admin grants none to a person): the rules decide for everyone
            # else, without reading permission tables on every page.
            return self.is_active and rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        if self.lacks_second_factor:
            return False
        return super().has_module_perms(app_label)


class EntrantProfile(TimeStampedModel):
    """What an entrant tells about themselves. Never an identity-document number."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    legal_name = models.CharField(_("legal name"), max_length=200)
    credit_name = models.CharField(
        _("public credit name"),
        max_length=200,
        blank=True,
        help_text=_(
            "How your name appears with your work in public. It may be a pseudonym. "
            "Leave it empty to use your legal name."
        ),
    )
    date_of_birth = models.DateField(_("date of birth"))
    hong_kong_based = models.BooleanField(_("I am based in Hong Kong"), default=False)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    registered_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registered_artists",
        verbose_name=_("registered by"),
        help_text=_("The caseworker who registered an artist who cannot do it."),
    )
    pics_version = models.CharField(
        _("collection statement version accepted"), max_length=20
    )
    pics_accepted_at = models.DateTimeField(_("collection statement accepted at"))

    class Meta:
        verbose_name = _("entrant profile")
        verbose_name_plural = _("entrant profiles")

    def __str__(self):
        return self.credit_name or self.legal_name
