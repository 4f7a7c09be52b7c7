"""An entrant's flow, request for request as the entry form's page sends it.

The pages decide the requests: the form's fields are read from the HTML and sent
back as a browser sends a form (every control that is not disabled, checkboxes and
radio buttons only when checked, the pressed button's name and value), and the
upload API's and the scripts' addresses come from the page's ``data-*``
attributes. A request a page's scripts make only where the page asks for it (the
checklist read again after an upload, ``static/js/entry_files.js``) is made only
when the page has the attribute, so the same flow runs against older revisions.

The steps, for an entrant who is already signed in:

1. ``form GET`` — the new-entry form;
2. ``create POST`` — "Save draft", redirected to the entry's page;
3. ``edit GET`` — that page; the upload API's token is in its
   ``<meta name="csrf-token">``;
4. ``upload start`` — ``static/js/uploads.js`` starts a single upload;
5. the ``PUT`` of the file to the presigned URL (to the store, timed apart);
6. ``upload complete``;
7. ``file status GET`` — ``static/js/file_status.js`` fetches the finished file's
   list item at once, to add it to the page, unless the completion's answer
   carries it (``html``: asked for where the uploader has ``data-page-parts``);
8. ``checklist GET`` — ``static/js/entry_files.js`` reads what the draft still
   needs again, where the page has ``data-checklist-url``, unless the completion's
   answer carries it (``checklist``);
9. ``save POST`` — "Save draft" again, where the image's description field
   appears only on the page the server renders after the upload; not made when
   the completion's answer carries the field (``description``), which
   ``entry_files.js`` adds to the page's form;
10. ``edit GET + file`` — the redirect, followed (with step 9 only);
11. ``submit POST`` — "Submit entry", with the image's description;
12. ``receipt GET`` — the redirect, followed.

While the file is still processing, ``file_status.js`` asks again after 2 s, then
3 s, 4.5 s...; the entrant need not wait for it and the flow does not (no worker
processes the file here, so the page would ask for as long as it stays open).

Two transports carry the same flow: ``HttpTransport`` (a real server, timed) and
``ClientTransport`` (Django's test client in the calling process, counting the
queries of each request).
"""

import collections
import json
import re
import time
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import urlencode

import requests

STEPS = [
    "form GET",
    "create POST",
    "edit GET",
    "upload start",
    "upload complete",
    "file status GET",
    "checklist GET",
    "save POST",
    "edit GET + file",
    "submit POST",
    "receipt GET",
]

FORM_ID = "entry-form"
FILE_NAME = "harbour.jpg"
DESCRIPTION = "Boats on a grey harbour at sunrise."
# What the entrant types; a field the page does not have is left out.
ENTRY_VALUES = {
    "title_en": "Harbour at dawn",
    "title_zh_hant": "維港日出",
    "medium": "Digital photograph",
    "year_made": "2025",
    "dimensions": "30 × 40 cm",
    "statement": "The harbour before the city wakes, from the Star Ferry pier.",
    "credit": "credit_name",
    "consent_original": True,
    "consent_terms": True,
    "consent_website": True,
}
PAGE_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# Sent with every request to the portal, so that a measuring server can tell the
# request types apart (bench/wsgi.py); the portal ignores it.
STEP_HEADER = "X-Bench-Step"
FILE_STATES_DONE = ("uploaded", "processing", "ready")


def small_jpeg():
    """A real 640×480 JPEG of about 20 KB, as a phone's small export would be."""
    from PIL import Image, ImageDraw

    image = Image.linear_gradient("L").resize((640, 480)).convert("RGB")
    draw = ImageDraw.Draw(image)
    draw.ellipse((380, 60, 520, 200), fill=(250, 200, 120))
    draw.rectangle((0, 330, 640, 480), fill=(40, 70, 110))
    for x in range(40, 600, 90):
        draw.polygon([(x, 330), (x + 50, 330), (x + 25, 280)], fill=(230, 230, 230))
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


class Failure(Exception):
    pass


# --- the page ----------------------------------------------------------------------


class _Control:
    def __init__(self, tag, attrs):
        self.tag = tag
        self.attrs = attrs
        self.type = (attrs.get("type") or ("text" if tag == "input" else tag)).lower()
        if tag == "button":
            self.type = (attrs.get("type") or "submit").lower()
        self.name = attrs.get("name")
        self.value = attrs.get(
            "value", "on" if self.type in ("checkbox", "radio") else ""
        )
        self.checked = "checked" in attrs
        self.disabled = "disabled" in attrs
        self.options = []  # (value, selected, disabled) of a select
        self.text = ""


class Page(HTMLParser):
    """What the flow needs of a page: its forms' controls, the elements that carry
    given attributes, and the CSRF token of ``<meta name="csrf-token">``."""

    WATCHED = (
        "data-uploader",
        "data-file-status-url",
        "data-checklist-url",
    )

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.controls = collections.defaultdict(list)
        self.elements = {}
        self.meta_token = None
        self._form = None
        self._select = None
        self._option = None
        self._textarea = None
        self.feed(html)
        self.close()

    def _owner(self, attrs):
        return attrs.get("form") or self._form

    def handle_starttag(self, tag, attrs):
        attrs = {name: ("" if value is None else value) for name, value in attrs}
        for name in self.WATCHED:
            if name in attrs and name not in self.elements:
                self.elements[name] = attrs
        if tag == "meta" and attrs.get("name") == "csrf-token":
            self.meta_token = attrs.get("content")
        elif tag == "form":
            self._form = attrs.get("id") or ""
        elif tag in ("input", "button", "select", "textarea"):
            owner = self._owner(attrs)
            control = _Control(tag, attrs)
            if owner is not None:
                self.controls[owner].append(control)
            if tag == "select":
                self._select = control
            elif tag == "textarea":
                self._textarea = control
        elif tag == "option" and self._select is not None:
            self._option = [
                attrs.get("value"),
                "selected" in attrs,
                "disabled" in attrs,
            ]
            self._option_text = ""

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._close_option()
            self._select = None
        elif tag == "option":
            self._close_option()
        elif tag == "textarea":
            self._textarea = None

    def _close_option(self):
        if self._option is not None:
            value, selected, disabled = self._option
            if value is None:
                value = self._option_text.strip()
            self._select.options.append((value, selected, disabled))
            self._option = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.text += data
        if self._option is not None:
            self._option_text += data

    def element(self, attribute):
        return self.elements.get(attribute)

    def has_control(self, form_id, name):
        return any(c.name == name for c in self.controls.get(form_id, ()))

    def submission(self, form_id, *, button, fill):
        """(action or None, [(name, value)]) as a browser submits the form when
        the submit button whose (name, value) is ``button`` is pressed, after
        the entrant set the fields of ``fill`` (a name → value function; a
        checkbox takes True or False)."""
        controls = self.controls.get(form_id)
        if not controls:
            raise Failure(f"the page has no form #{form_id}")
        pairs = []
        action = None
        pressed = False
        for control in controls:
            if not control.name or control.disabled:
                continue
            wanted = fill(control.name)
            kind = control.type
            if kind in ("submit", "image"):
                if (control.name, control.value) == button and not pressed:
                    pressed = True
                    action = control.attrs.get("formaction")
                    pairs.append((control.name, control.value))
            elif kind in ("button", "reset", "file"):
                continue
            elif kind == "checkbox":
                if wanted if wanted is not None else control.checked:
                    pairs.append((control.name, control.value))
            elif kind == "radio":
                if (wanted == control.value) if wanted is not None else control.checked:
                    pairs.append((control.name, control.value))
            elif control.tag == "select":
                values = [v for v, _, disabled in control.options if not disabled]
                if wanted is not None:
                    if str(wanted) not in values:
                        raise Failure(f"{control.name}: no option {wanted!r}")
                    pairs.append((control.name, str(wanted)))
                    continue
                chosen = [v for v, selected, _ in control.options if selected]
                pairs.extend((control.name, value) for value in chosen or values[:1])
            elif control.tag == "textarea":
                text = (
                    control.text[1:] if control.text.startswith("\n") else control.text
                )
                pairs.append((control.name, wanted if wanted is not None else text))
            else:
                pairs.append(
                    (control.name, wanted if wanted is not None else control.value)
                )
        if not pressed:
            raise Failure(f"the form #{form_id} has no button {button!r}")
        return action, pairs


def entrant_fill(name):
    """What the entrant types into the entry form."""
    value = ENTRY_VALUES.get(name)
    if value is True or value is False:
        return value
    return None if value is None else str(value)


def described(name):
    if name.startswith("alt_text_"):
        return DESCRIPTION
    return None


def file_url(template, file_id):
    """The upload API's per-file address, as uploads.js makes it from the one the
    page renders for the file number 0."""
    at = template.rindex("/0/")
    return f"{template[:at]}/{file_id}/{template[at + 3 :]}"


# --- transports --------------------------------------------------------------------

# uploads.js tries a PUT the store refused or that lost its connection 5 times,
# waiting 1, 2, 4, 8 s; a 400 or 403 (an expired URL) makes it start again, which
# a fresh URL does not need here.
PUT_TRIES = 5


def put_to_store(url, body, headers, *, timeout):
    """PUT ``body`` to the presigned ``url`` as uploads.js does; the tries it took."""
    for tries in range(1, PUT_TRIES + 1):
        try:
            answer = requests.put(url, data=body, headers=headers, timeout=timeout)
        except requests.RequestException as error:
            problem = type(error).__name__
        else:
            if answer.status_code == 200:
                return tries
            problem = f"HTTP {answer.status_code} {answer.text[:160]!r}"
            if answer.status_code in (400, 403):
                break
        if tries < PUT_TRIES:
            time.sleep(2 ** (tries - 1))
    raise Failure(f"S3 PUT: {problem} (tries: {tries})")


class Answer:
    def __init__(self, status, location, text, content_type):
        self.status = status
        self.location = location
        self.text = text
        self.content_type = content_type

    def json(self):
        return json.loads(self.text)


class HttpTransport:
    """A browser's session against a running server; records (step, seconds)."""

    def __init__(self, origin, *, cookie_name, cookie, tag=True, timeout=30):
        self.origin = origin
        self.tag = tag
        self.timeout = timeout
        self.http = requests.Session()
        self.http.cookies.set(cookie_name, cookie, domain="127.0.0.1", path="/")
        self.timings = []
        self.put_seconds = None
        self.put_tries = 0

    def request(self, step, method, path, *, headers, body=None):
        url = path if path.startswith("http") else f"{self.origin}{path}"
        if self.tag:
            headers = {**headers, STEP_HEADER: step}
        if method == "POST" and not path.startswith("http"):
            headers["Origin"] = self.origin
        started = time.perf_counter()
        try:
            answer = self.http.request(
                method,
                url,
                data=body,
                headers=headers,
                allow_redirects=False,
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            raise Failure(f"{step}: {type(error).__name__}") from error
        self.timings.append((step, time.perf_counter() - started))
        return Answer(
            answer.status_code,
            answer.headers.get("Location"),
            answer.text,
            answer.headers.get("Content-Type", ""),
        )

    def put(self, url, body, headers):
        started = time.perf_counter()
        tries = put_to_store(url, body, headers, timeout=self.timeout)
        self.put_seconds = time.perf_counter() - started
        self.put_tries = tries


class ClientTransport:
    """Django's test client in this process (Django set up, settings as the
    server's); records each step's SQL statements."""

    def __init__(self, user):
        from django.test import Client

        self.client = Client()
        self.client.force_login(user)
        self.queries = {}

    def request(self, step, method, path, *, headers, body=None):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        headers = dict(headers)
        content_type = headers.pop("Content-Type", None)
        with CaptureQueriesContext(connection) as captured:
            if method == "GET":
                answer = self.client.get(path, headers=headers)
            else:
                answer = self.client.post(
                    path, body, content_type=content_type, headers=headers
                )
        self.queries[step] = [query["sql"] for query in captured.captured_queries]
        return Answer(
            answer.status_code,
            answer.headers.get("Location"),
            answer.content.decode(),
            answer.headers.get("Content-Type", ""),
        )

    def put(self, url, body, headers):
        put_to_store(url, body, headers, timeout=30)


# --- the flow ----------------------------------------------------------------------


class Flow:
    """One entrant's flow through ``transport``; ``error`` says why it stopped."""

    def __init__(self, transport, *, round_pk, jpeg):
        self.transport = transport
        self.round_pk = round_pk
        self.jpeg = jpeg
        self.error = None
        self.finished_at = None
        self.steps = []

    def run(self):
        try:
            self._run()
        except Failure as failure:
            self.error = str(failure)
        except Exception as error:
            self.error = f"{type(error).__name__}: {error}"
        self.finished_at = time.monotonic()
        return self

    def _call(self, step, method, path, *, expect, headers=None, body=None):
        answer = self.transport.request(
            step, method, path, headers=headers or {}, body=body
        )
        self.steps.append(step)
        if answer.status != expect:
            raise Failure(f"{step}: HTTP {answer.status} {answer.text[:200]!r}")
        return answer

    def _page(self, step, path):
        answer = self._call(
            step, "GET", path, expect=200, headers={"Accept": PAGE_ACCEPT}
        )
        return Page(answer.text)

    def _post_form(self, step, path, pairs, *, referer):
        return self._call(
            step,
            "POST",
            path,
            expect=302,
            headers={
                "Accept": PAGE_ACCEPT,
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": referer,
            },
            body=urlencode(pairs),
        )

    def _api(self, step, path, token, data):
        answer = self._call(
            step,
            "POST",
            path,
            expect=200,
            headers={
                "Accept": "application/json",
                "Content-Type": "application/json",
                "X-CSRFToken": token,
            },
            body=json.dumps(data),
        )
        return answer.json()

    def _run(self):
        new = f"/entries/new/{self.round_pk}/"
        page = self._page("form GET", new)
        action, pairs = page.submission(
            FORM_ID, button=("action", "save"), fill=entrant_fill
        )
        created = self._post_form("create POST", action or new, pairs, referer=new)
        edit = created.location
        if not edit or not re.fullmatch(r"/entries/\d+/", edit):
            raise Failure(f"create POST: redirected to {edit}")
        page = self._page("edit GET", edit)

        uploader = page.element("data-uploader")
        if uploader is None:
            raise Failure("edit GET: no uploader on the page")
        token = page.meta_token or uploader.get("data-csrf-token")
        ticket = self._api(
            "upload start",
            uploader["data-url-start"],
            token,
            {
                "entry": int(uploader["data-entry"]),
                "name": FILE_NAME,
                "size": len(self.jpeg),
                "type": "image/jpeg",
            },
        )
        if ticket.get("mode") != "single":
            raise Failure(f"upload start: mode {ticket.get('mode')}")
        self.transport.put(ticket["url"], self.jpeg, ticket.get("headers", {}))
        file_id = ticket["file"]
        done = self._api(
            "upload complete",
            file_url(uploader["data-url-complete"], file_id),
            token,
            {"page": True} if "data-page-parts" in uploader else {},
        )
        if done.get("state") not in FILE_STATES_DONE:
            raise Failure(f"upload complete: state {done.get('state')}")

        # Both scripts answer the same "upload complete" event, with what its
        # answer carries, or else by asking.
        files = page.element("data-file-status-url")
        if files is not None and "html" not in done:
            answer = self._call(
                "file status GET",
                "GET",
                f"{files['data-file-status-url']}?file={file_id}",
                expect=200,
                headers={"Accept": "application/json"},
            )
            listed = [item.get("id") for item in answer.json().get("files", [])]
            if listed != [file_id]:
                raise Failure(f"file status GET: files {listed}")
        checklist = page.element("data-checklist-url")
        if checklist is not None and "checklist" not in done:
            self._call(
                "checklist GET",
                "GET",
                checklist["data-checklist-url"],
                expect=200,
                headers={"Accept": "text/html"},
            )

        if done.get("description"):
            # The field joins the page's form where entry_files.js puts it.
            for owner, controls in Page(done["description"]).controls.items():
                page.controls[owner].extend(controls)
        else:
            action, pairs = page.submission(
                FORM_ID, button=("action", "save"), fill=lambda name: None
            )
            saved = self._post_form("save POST", action or edit, pairs, referer=edit)
            if saved.location != edit:
                raise Failure(f"save POST: redirected to {saved.location}")
            page = self._page("edit GET + file", edit)
        if not page.has_control(FORM_ID, f"alt_text_{file_id}"):
            raise Failure("no description field for the image")
        action, pairs = page.submission(
            FORM_ID, button=("action", "submit"), fill=described
        )
        submitted = self._post_form("submit POST", action or edit, pairs, referer=edit)
        receipt = submitted.location
        if not receipt or not receipt.endswith("/receipt/"):
            raise Failure(f"submit POST: redirected to {receipt}")
        self._page("receipt GET", receipt)
