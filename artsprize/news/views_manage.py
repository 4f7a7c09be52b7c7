"""The staff's news pages: the list of posts with their states, writing and
correcting a post with its cover, a preview in each language, and publishing,
scheduling and unpublishing (POST, confirmed in the page)."""

from functools import wraps

from django.contrib import messages
from django.forms.models import model_to_dict
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from artsprize.accounts.permissions import lookup, permission_required
from artsprize.common.pages import error_message, hong_kong_time, posted
from artsprize.news import services
from artsprize.news.enums import PostState
from artsprize.news.errors import CoverError, NewsError
from artsprize.news.forms import PostForm, ScheduleForm
from artsprize.news.models import NewsPost
from artsprize.news.selectors import posts_for_staff
from artsprize.news.views import post_context

staff_only = permission_required("news.manage_news")
of_post = permission_required(
    "news.manage_news", obj=lookup(NewsPost.objects.all()), hidden=False
)
FORM_FIELDS = (
    *services.TEXT_FIELDS,
    "slug",
)


def action(view):
    """A state action on a post: POST only; a GET goes back to the post's page."""

    @wraps(view)
    def wrapped(request, post):
        if request.method != "POST":
            return redirect("manage:news_detail", pk=post.pk)
        return view(request, post)

    return of_post(wrapped)


@staff_only
def post_list(request):
    return render(request, "news/manage/list.html", {"posts": posts_for_staff()})


def _save(request, form, post):
    """Create or update from a valid ``form``; the post, or None when the
    service refused (the error is on the form or in the messages)."""
    try:
        if post is None:
            return services.create_post(data=form.post_data(), by=request.user)
        changed = services.update_post(
            post,
            data=form.post_data(),
            by=request.user,
            note=form.cleaned_data.get("correction_note", ""),
        )
    except CoverError as error:
        form.add_error("cover", error.message)
        return None
    except NewsError as error:
        if error.code == "slug_taken":
            form.add_error("slug", error.message)
        else:
            messages.error(request, error_message(error))
        return None
    if changed:
        messages.success(request, _("Changes saved."))
    else:
        messages.info(request, _("Nothing changed."))
    return post


@staff_only
def post_create(request):
    form = PostForm(posted(request), request.FILES or None)
    if form.is_valid():
        post = _save(request, form, None)
        if post is not None:
            messages.success(request, _("Draft saved. Preview it, then publish it."))
            return redirect("manage:news_detail", pk=post.pk)
    return render(request, "news/manage/form.html", {"form": form, "post": None})


@of_post
def post_edit(request, post):
    form = PostForm(
        posted(request),
        request.FILES or None,
        initial=model_to_dict(post, fields=FORM_FIELDS),
        has_cover=bool(post.cover_key),
        correction=post.state == PostState.PUBLISHED,
    )
    if form.is_valid():
        saved = _save(request, form, post)
        if saved is not None:
            return redirect("manage:news_detail", pk=post.pk)
    return render(request, "news/manage/form.html", {"form": form, "post": post})


@of_post
def post_detail(request, post):
    return render(
        request,
        "news/manage/detail.html",
        {
            "post": post,
            "problems": services.post_problems(post),
            "schedule_form": ScheduleForm(initial={"publish_at": post.publish_at}),
            "is_draft": post.state == PostState.DRAFT,
            "is_scheduled": post.state == PostState.SCHEDULED,
            "is_published": post.state == PostState.PUBLISHED,
        },
    )


@of_post
def post_preview(request, post):
    """The post as the public will read it, in the language asked for
    (``?language=en`` or ``zh-hant``; the reader's own by default), whatever
    its state."""
    language = request.GET.get("language")
    if language not in ("en", "zh-hant"):
        language = request.LANGUAGE_CODE
    with translation.override(language):
        request.LANGUAGE_CODE = language
        response = render(
            request, "news/detail.html", post_context(request, post, preview=True)
        )
    response["Content-Language"] = language
    return response


def _act(request, post, act, done):
    try:
        act()
    except NewsError as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, done(post))
    return redirect("manage:news_detail", pk=post.pk)


@action
def post_publish(request, post):
    if post.state == PostState.PUBLISHED:
        messages.info(request, _("The post is already published."))
        return redirect("manage:news_detail", pk=post.pk)
    return _act(
        request,
        post,
        lambda: services.publish_post_now(post, by=request.user),
        lambda p: _("The post is published."),
    )


@action
def post_schedule(request, post):
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("publish_at", []):
            messages.error(request, error)
        return redirect("manage:news_detail", pk=post.pk)
    return _act(
        request,
        post,
        lambda: services.schedule_post(
            post, publish_at=form.cleaned_data["publish_at"], by=request.user
        ),
        lambda p: (
            _(
                "The post is scheduled: it is published by itself at %(moment)s, Hong Kong time."
            )
            % {"moment": hong_kong_time(p.publish_at)}
        ),
    )


@action
def post_unpublish(request, post):
    if post.state == PostState.DRAFT:
        messages.info(request, _("The post is already a draft."))
        return redirect("manage:news_detail", pk=post.pk)
    return _act(
        request,
        post,
        lambda: services.unpublish_post(post, by=request.user),
        lambda p: _("The post is a draft again: the public no longer sees it."),
    )
