"""The staff's forms of news posts: texts, address and cover, a correction's
note, and the moment of a scheduled publication."""

from django import forms
from django.utils.translation import gettext_lazy as _

from artsprize.common.form_fields import (
    HongKongDateTimeField,
    PlainTextFormMixin,
    model_field,
    text_input,
    textarea,
)
from artsprize.news import images
from artsprize.news.errors import CoverError
from artsprize.news.models import NewsPost

ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic"


class PostForm(PlainTextFormMixin, forms.Form):
    """A post's texts, address and cover. ``has_cover``: the post has one (it
    may be removed); ``correction``: the post is published, so a change needs a
    note of what was corrected."""

    title_en = model_field(NewsPost, "title_en", widget=text_input("en"))
    title_zh_hant = model_field(NewsPost, "title_zh_hant", widget=text_input("zh-Hant"))
    summary_en = model_field(NewsPost, "summary_en", widget=textarea("en", 2))
    summary_zh_hant = model_field(
        NewsPost, "summary_zh_hant", widget=textarea("zh-Hant", 2)
    )
    body_en = model_field(NewsPost, "body_en", widget=textarea("en", 12))
    body_zh_hant = model_field(NewsPost, "body_zh_hant", widget=textarea("zh-Hant", 12))
    slug = model_field(NewsPost, "slug", required=False)
    cover = forms.FileField(
        label=_("Cover image"),
        required=False,
        help_text=_(
            "JPEG, PNG, WebP or HEIC, at most 10 MB. Its location and camera "
            "data are removed; web sizes 480, 960 and 1600 pixels wide are made."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={"empty": images.MESSAGES["empty"]},
    )
    cover_alt_en = model_field(NewsPost, "cover_alt_en", widget=text_input("en"))
    cover_alt_zh_hant = model_field(
        NewsPost, "cover_alt_zh_hant", widget=text_input("zh-Hant")
    )
    remove_cover = forms.BooleanField(label=_("Remove the cover"), required=False)
    correction_note = forms.CharField(
        label=_("What was corrected"),
        help_text=_("The post is published: say what this change corrects."),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )

    single_line_fields = (
        "title_en",
        "title_zh_hant",
        "cover_alt_en",
        "cover_alt_zh_hant",
    )
    multi_line_fields = (
        "summary_en",
        "summary_zh_hant",
        "body_en",
        "body_zh_hant",
        "correction_note",
    )

    def __init__(self, *args, has_cover=False, correction=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cover"].widget = forms.FileInput(attrs={"accept": ACCEPT})
        if not has_cover:
            del self.fields["remove_cover"]
        if not correction:
            del self.fields["correction_note"]

    def clean_cover(self):
        upload = self.cleaned_data.get("cover")
        if not upload:
            return None
        if upload.size > images.MAX_BYTES:
            raise forms.ValidationError(images.MESSAGES["too_large"], code="too_large")
        upload.seek(0)
        data = upload.read()
        try:
            images.check_upload(data)
        except CoverError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        return data

    def clean(self):
        cleaned_data = super().clean()
        if not (cleaned_data.get("title_en") or cleaned_data.get("title_zh_hant")):
            self.add_error(
                "title_en", _("Give the post a title in English or in Chinese.")
            )
        return cleaned_data

    def post_data(self):
        """The values for ``create_post`` / ``update_post``."""
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in {"cover", "remove_cover", "correction_note"}
        }
        if self.cleaned_data.get("cover"):
            data["cover"] = self.cleaned_data["cover"]
        if self.cleaned_data.get("remove_cover"):
            data["remove_cover"] = True
        return data


class ScheduleForm(forms.Form):
    publish_at = HongKongDateTimeField(label=_("Publish at (Hong Kong time)"))
