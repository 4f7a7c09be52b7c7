from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def send_templated_mail(template_prefix, *, to, context, language):
    """Send ``<prefix>_subject.txt`` and ``<prefix>_message.txt`` in ``language``."""
    with translation.override(language):
        subject = render_to_string(f"{template_prefix}_subject.txt", context)
        body = render_to_string(f"{template_prefix}_message.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    message.send()
    return message


def mail_person(person, template_prefix, context):
    """Send a templated mail to ``person`` (an account), in their language."""
    return send_templated_mail(
        template_prefix, to=[person.email], language=person.language, context=context
    )
