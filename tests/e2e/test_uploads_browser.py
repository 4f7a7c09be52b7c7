"""The uploader on an entry's page (static/js/uploads.js), in Chromium, against the
suite's S3 server: a phone photo and a large video sent straight to the store on a
throttled connection, a reload in the middle, the entry submitted; refused files, a
pause, a dropped connection and a cancel."""

import contextlib
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import storages
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.urls import reverse

from artsprize.common.models import AuditEvent
from submissions import storage as upload_storage
from submissions.enums import EntryState, FileState, MediaKind
from submissions.errors import UploadError
from submissions.models import ArtworkFile
from submissions.services.entries import create_entry
from submissions.services.processing import process_file
from submissions.services.rounds import open_round_now
from submissions.services.uploads import start_upload
from tests import factories
from tests.e2e.media import PHONE_PHOTO, make_noise_photo, make_noise_video
from tests.e2e.session import sign_in
from tests.processing_fixtures import jpeg_bytes
from tests.upload_helpers import Browser

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF_BYTES = b"%PDF-1.4\n%%EOF\n"
# What a stopped upload says: a file in parts keeps them; a file sent in one PUT
# (up to 5 MiB) starts again.
PAUSED = "Paused. The parts already sent are kept."
WAITING = (
    "Waiting for the connection to come back… The parts already sent are kept, and "
    "the upload goes on by itself."
)
WAITING_SINGLE = (
    "Waiting for the connection to come back… This file goes in one piece: it will "
    "be sent again from the beginning, by itself."
)
RESUME_HELP = (
    "If the connection drops, the upload goes on by itself when it comes back: a "
    "file over 5.0\xa0MB from the parts already sent, a smaller file from the "
    "beginning. After you reload the page, choose the same file again."
)
# Drags a file made in the page onto the uploader's drop zone.
DROP_FILE = """({name, text}) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([text], name, {type: "application/pdf"}));
  const zone = document.querySelector("[data-upload-drop]");
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(
      new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: transfer})
    );
  }
}"""

# Slow enough that the progress of the video is seen for several seconds, and that
# a reload or a pause comes while some of its parts are stored and others are not.
MiB = 1024 * 1024
UPLOAD_BYTES_PER_SECOND = 4 * MiB
# Slow enough for a photo's connection to be cut while it is on its way.
SLOW_BYTES_PER_SECOND = MiB // 2
VIDEO_MIN_BYTES = 36 * 1000 * 1000
WAIT_MS = 90_000


@pytest.fixture(scope="session")
def large_photo(tmp_path_factory):
    """A photo between S3's smallest part (5 MiB) and 8 MiB, as phones take."""
    folder = tmp_path_factory.mktemp("photos")
    return make_noise_photo(folder / "harbour-evening.jpg", min_bytes=6 * MiB)


@pytest.fixture(scope="session")
def noise_video(tmp_path_factory):
    folder = tmp_path_factory.mktemp("media")
    return make_noise_video(folder / "harbour-night.mp4", min_bytes=VIDEO_MIN_BYTES)


def make_entry(**category_fields):
    staff = factories.make_staff()
    round_ = factories.make_round()
    category = round_.categories.get()
    category.media_kinds = [MediaKind.IMAGE, MediaKind.VIDEO]
    for name, value in category_fields.items():
        setattr(category, name, value)
    category.save()
    open_round_now(round_, by=staff)
    entrant = factories.make_entrant()
    entry = create_entry(
        round_,
        entrant=entrant,
        category=category,
        data={"title_en": "Harbour at night"},
        by=entrant,
    )
    return entrant, entry


def upload_row(page, name):
    return page.locator("[data-upload-row]", has_text=name)


def throttle(page, bytes_per_second=UPLOAD_BYTES_PER_SECOND):
    """Slow the page's uploads down; returns a switch that cuts the connection
    (``network(offline=True)``) and brings it back, still slow."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")

    def network(*, offline=False):
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": offline,
                "latency": 40,
                "downloadThroughput": -1,
                "uploadThroughput": bytes_per_second,
            },
        )

    network()
    return network


def watch_puts(page):
    """The parts of every PUT the page sends to the store, and of those the store
    acknowledged; the lists outlive a reload."""
    sent, stored = [], []
    page.on(
        "request",
        lambda request: (
            sent.append(part_number(request.url)) if request.method == "PUT" else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            stored.append(part_number(response.url))
            if response.request.method == "PUT" and response.status == 200
            else None
        ),
    )
    return sent, stored


def wait_until(page, condition, message):
    """Wait for ``condition``; Playwright delivers the page's events meanwhile."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while not condition():
        assert time.monotonic() < deadline, message
        page.wait_for_timeout(100)


def wait_for_state(page, row, state, message):
    wait_until(page, lambda: row.get_attribute("data-state") == state, message)


def store_parts(file):
    return {
        part["number"]
        for part in upload_storage.list_parts(
            upload_storage.staging_key(file.key), file.upload_id
        )
    }


def test_photo_and_video_upload_resume_after_reload_and_are_submitted(
    live_server, page, browser_uploads, noise_video
):
    entrant, entry = make_entry()
    sign_in(page, live_server, entrant)
    video_size = noise_video.stat().st_size
    photo_size = PHONE_PHOTO.stat().st_size

    puts, stored = watch_puts(page)
    page.add_init_script(
        "window.uploadsCompleted = [];"
        "document.addEventListener('artsprize:upload-complete',"
        " (event) => window.uploadsCompleted.push(event.detail));"
    )
    throttle(page)

    edit_url = live_server.url + reverse("entry_edit", args=[entry.pk])
    page.goto(edit_url)
    file_input = page.get_by_label("Choose files")
    assert file_input.get_attribute("accept") == "image/*,.heic,.heif,video/*,.mov,"

    file_input.set_input_files(str(PHONE_PHOTO))
    page.wait_for_selector(
        f"#entry-files [data-file-id]:has-text('{PHONE_PHOTO.name}')", timeout=WAIT_MS
    )
    # From now on the file's state is shown once, in the entry's list: its row in
    # the uploader is gone.
    assert upload_row(page, PHONE_PHOTO.name).count() == 0
    assert page.get_by_text(PHONE_PHOTO.name, exact=True).count() == 1
    completed = page.evaluate("window.uploadsCompleted")
    assert [item["name"] for item in completed] == [PHONE_PHOTO.name]
    assert completed[0]["state"] == FileState.UPLOADED
    assert completed[0]["size"] == photo_size
    # The new image's description field joins the entry's form, without a save
    # and a reload.
    description = page.get_by_label(f"Description of “{PHONE_PHOTO.name}”")
    assert description.is_visible()
    assert description.get_attribute("form") == "entry-form"
    assert page.locator("#files-saved-notice").is_visible() is False

    puts.clear()
    stored.clear()
    file_input.set_input_files(str(noise_video))
    video_row = upload_row(page, noise_video.name)
    bar = video_row.get_by_role("progressbar")
    seen = []
    deadline = time.monotonic() + WAIT_MS / 1000
    # Reload once the store holds at least one part, while others are on their way.
    while not stored:
        assert time.monotonic() < deadline, "No part of the video was stored."
        seen.append(int(bar.get_attribute("aria-valuenow")))
        page.wait_for_timeout(150)
    seen.append(int(bar.get_attribute("aria-valuenow")))
    rising = [value for value in seen if 0 < value < 100]
    assert len(set(rising)) >= 3, seen
    assert seen == sorted(seen)
    assert "of" in bar.get_attribute("aria-valuetext")
    video = ArtworkFile.objects.get(entry=entry, original_name=noise_video.name)
    assert video.state == FileState.AWAITING_UPLOAD
    part_count = -(-video_size // video.part_size)
    assert part_count >= 3

    page.reload()
    interrupted = page.locator(f"[data-upload-row][data-file-id='{video.pk}']")
    assert interrupted.get_attribute("data-state") == "interrupted"
    # A part whose last byte reached the store just before the reload is stored
    # although its answer never reached the page: the store's list is the truth.
    stored_before = store_parts(video)
    assert set(stored) <= stored_before < set(range(1, part_count + 1))
    puts.clear()
    page.get_by_label("Choose files").set_input_files(str(noise_video))
    page.wait_for_selector(f"#entry-files [data-file-id='{video.pk}']", timeout=WAIT_MS)
    # The parts stored before the reload were not sent again: the upload continued.
    assert puts, "The video was not uploaded after the reload."
    assert sorted(puts) == sorted(set(range(1, part_count + 1)) - stored_before)
    # The interrupted row gave way to the new one, which gave way to the list.
    assert page.locator(f"[data-upload-row][data-file-id='{video.pk}']").count() == 0
    # The finished file joins the entry's list, where its processing shows.
    page.wait_for_selector(
        f"#entry-files [data-file-id='{video.pk}'][data-file-state=ready] img.file-thumb",
        timeout=WAIT_MS,
    )
    completed = page.evaluate("window.uploadsCompleted")
    assert [(item["file"], item["size"]) for item in completed] == [
        (video.pk, video_size)
    ]

    files = {file.original_name: file for file in entry.files.all()}
    assert set(files) == {PHONE_PHOTO.name, noise_video.name}
    photo, video = files[PHONE_PHOTO.name], files[noise_video.name]
    assert (photo.state, photo.kind, photo.size) == (
        FileState.READY,
        MediaKind.IMAGE,
        photo_size,
    )
    assert (video.state, video.kind, video.size) == (
        FileState.READY,
        MediaKind.VIDEO,
        video_size,
    )
    assert storages["default"].size(photo.key) == photo_size
    assert storages["default"].size(video.key) == video_size
    assert (
        page.evaluate("document.documentElement.scrollWidth")
        <= (page.viewport_size["width"])
    )

    # With its files in, the entry is completed and submitted; the receipt lists them.
    page.reload()
    page.fill("[name=medium]", "Video and photograph")
    page.fill("[name=statement]", "The harbour at night, filmed from the ferry.")
    page.fill(f"[name=alt_text_{photo.pk}]", "Lights of the harbour on dark water.")
    page.check("[name=consent_original]")
    page.check("[name=consent_terms]")
    page.get_by_role("button", name="Submit entry").click()
    page.wait_for_url(live_server.url + reverse("entry_receipt", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.state == EntryState.SUBMITTED
    assert entry.reference
    assert page.locator("#receipt-reference").inner_text() == entry.reference
    receipt_rows = page.locator("#receipt-files tbody tr")
    assert [
        receipt_rows.nth(index).locator("td").all_inner_texts()[:2]
        for index in range(receipt_rows.count())
    ] == [[PHONE_PHOTO.name, "Ready"], [noise_video.name, "Ready"]]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_refused_paused_resumed_and_cancelled_uploads(
    live_server, chromium, browser_uploads, noise_video, tmp_path, viewport
):
    entrant, entry = make_entry(max_image_bytes=1_000_000)
    photo_size = PHONE_PHOTO.stat().st_size
    video_size = noise_video.stat().st_size
    notes = tmp_path / "notes.pdf"
    notes.write_bytes(PDF_BYTES)
    # The messages the server gives, in the words the page must show.
    with pytest.raises(UploadError) as too_large:
        start_upload(
            entry,
            user=entrant,
            name=PHONE_PHOTO.name,
            size=photo_size,
            declared_type="image/jpeg",
        )
    with pytest.raises(UploadError) as wrong_kind:
        start_upload(
            entry,
            user=entrant,
            name=notes.name,
            size=len(PDF_BYTES),
            declared_type="application/pdf",
        )
    assert (too_large.value.code, wrong_kind.value.code) == (
        "too_large",
        "kind_not_accepted",
    )

    # The refusals are 4xx answers, which Chromium reports on the console.
    with page_of_its_own(chromium, viewport) as page:
        sign_in(page, live_server, entrant)
        puts, stored = watch_puts(page)
        page.goto(live_server.url + reverse("entry_edit", args=[entry.pk]))

        page.get_by_label("Choose files").set_input_files(str(PHONE_PHOTO))
        # The PDF is dragged onto the drop zone, past the input's accept filter.
        page.evaluate(DROP_FILE, {"name": notes.name, "text": PDF_BYTES.decode()})
        for path, error in ((PHONE_PHOTO, too_large), (notes, wrong_kind)):
            row = upload_row(page, path.name)
            wait_for_state(page, row, "refused", f"{path.name} was not refused.")
            assert row.locator("[data-upload-status]").inner_text() == "Not accepted"
            assert row.locator("[data-upload-error]").inner_text() == str(
                error.value.message
            )
            assert row.get_by_role("progressbar").is_hidden()
        assert not entry.files.exists()
        dismiss = upload_row(page, notes.name).get_by_role(
            "button", name=f"Remove from the list {notes.name}"
        )
        dismiss.focus()
        page.keyboard.press("Enter")
        assert upload_row(page, notes.name).count() == 0
        assert page.evaluate("document.activeElement.id") == "uploader-heading"

        network = throttle(page)
        page.get_by_label("Choose files").set_input_files(str(noise_video))
        row = upload_row(page, noise_video.name)
        bar = row.get_by_role("progressbar")
        wait_until(page, lambda: stored, "No part of the video was stored.")
        pause = row.get_by_role("button", name=f"Pause {noise_video.name}")
        pause.focus()
        page.keyboard.press("Enter")
        assert row.get_attribute("data-state") == "paused"
        assert row.locator("[data-upload-status]").inner_text() == PAUSED
        held = bar.get_attribute("aria-valuenow")
        page.wait_for_timeout(1000)
        assert bar.get_attribute("aria-valuenow") == held
        assert 0 < int(held) < 100
        video = ArtworkFile.objects.get(entry=entry)
        assert video.state == FileState.AWAITING_UPLOAD
        stored_at_pause = store_parts(video)
        part_count = -(-video_size // video.part_size)
        assert stored_at_pause < set(range(1, part_count + 1))
        puts.clear()
        row.get_by_role("button", name=f"Resume {noise_video.name}").click()
        wait_until(page, lambda: processed(video), "The resumed video did not finish.")
        page.wait_for_selector(f"#entry-files [data-file-id='{video.pk}']")
        assert row.count() == 0
        assert sorted(puts) == sorted(set(range(1, part_count + 1)) - stored_at_pause)
        video.refresh_from_db()
        assert (video.state, video.size) == (FileState.READY, video_size)

        # The same file again is a new copy; cancelling it leaves nothing behind.
        stored.clear()
        page.get_by_label("Choose files").set_input_files(str(noise_video))
        copy = page.locator("[data-upload-row]", has_text=noise_video.name).last
        wait_until(page, lambda: stored, "No part of the copy was stored.")
        # The connection drops: the upload waits, and goes on when it returns.
        network(offline=True)
        wait_for_state(
            page, copy, "waiting", "The copy did not wait for the connection."
        )
        assert copy.locator("[data-upload-status]").inner_text() == (WAITING)
        arrived = len(stored)
        network()
        wait_until(
            page,
            lambda: len(stored) > arrived,
            "The copy did not continue when the connection came back.",
        )
        assert copy.get_attribute("data-state") == "uploading"
        second = ArtworkFile.objects.get(entry=entry, state=FileState.AWAITING_UPLOAD)
        copy.get_by_role("button", name=f"Cancel {noise_video.name}").click()
        wait_for_state(page, copy, "cancelled", "The copy was not cancelled.")
        assert copy.locator("[data-upload-status]").inner_text() == "Cancelled"
        assert list(entry.files.values_list("pk", flat=True)) == [video.pk]
        assert ArtworkFile.objects.filter(pk=second.pk).exists() is False
        assert second.key not in {
            upload["Key"] for upload in upload_storage.multipart_uploads()
        }
        assert storages["default"].exists(second.key) is False
        assert (
            page.evaluate("document.documentElement.scrollWidth")
            <= (page.viewport_size["width"])
        )


def part_number(url):
    """The part a PUT carries; 1 for a single PUT of a whole file."""
    query = parse_qs(urlsplit(url).query)
    return int(query.get("partNumber", ["1"])[0])


def processed(file):
    """True once ``file`` was uploaded and processing has finished with it."""
    return ArtworkFile.objects.filter(
        pk=file.pk, state__in=[FileState.READY, FileState.REJECTED]
    ).exists()


@contextlib.contextmanager
def page_of_its_own(chromium, viewport):
    """A page for a test that cuts the connection or is refused: Chromium reports
    the requests that fail on the console, which the ``page`` fixture counts as
    errors. Uncaught script errors still fail the test, once the page is closed."""
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}
        if viewport == "phone"
        else {"width": 1280, "height": 900},
        locale="en-GB",
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    script_errors = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert script_errors == []


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_6_mib_photo_continues_from_its_stored_part_after_the_connection_drops(
    live_server, chromium, browser_uploads, large_photo, viewport
):
    with page_of_its_own(chromium, viewport) as page:
        photo_continues_after_a_drop(live_server, page, large_photo)


def photo_continues_after_a_drop(live_server, page, large_photo):
    entrant, entry = make_entry()
    sign_in(page, live_server, entrant)
    size = large_photo.stat().st_size
    puts, stored = watch_puts(page)
    network = throttle(page, SLOW_BYTES_PER_SECOND)
    # The link drops just as the second part sets off (Chromium sends a body it
    # has buffered even after the page went offline, so the drop is made exact).
    dropped = {"second part": True}
    page.route(
        lambda url: "partNumber=2" in url,
        lambda route: (
            route.abort("internetdisconnected")
            if dropped["second part"]
            else route.continue_()
        ),
    )
    page.goto(live_server.url + reverse("entry_edit", args=[entry.pk]))
    assert page.locator("#uploader-help").inner_text().splitlines()[-1] == (RESUME_HELP)

    page.get_by_label("Choose files").set_input_files(str(large_photo))
    row = upload_row(page, large_photo.name)
    wait_until(page, lambda: stored, "No part of the photo was stored.")
    network(offline=True)
    wait_for_state(page, row, "waiting", "The photo did not wait for the connection.")

    assert row.locator("[data-upload-status]").inner_text() == WAITING
    photo = ArtworkFile.objects.get(entry=entry)
    assert (photo.part_size, -(-size // photo.part_size)) == (5 * MiB, 2)
    assert store_parts(photo) == set(stored) == {1}
    puts.clear()
    # The connection comes back: the upload goes on without the entrant, from
    # the part the store holds.
    dropped["second part"] = False
    network()
    wait_until(page, lambda: processed(photo), "The photo did not finish.")
    assert puts == [2]
    photo.refresh_from_db()
    assert photo.size == size
    assert storages["default"].size(photo.key) == size


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_small_photo_is_sent_again_by_itself_when_the_connection_returns(
    live_server, chromium, browser_uploads, viewport
):
    with page_of_its_own(chromium, viewport) as page:
        small_photo_is_sent_again(live_server, page)


def small_photo_is_sent_again(live_server, page):
    entrant, entry = make_entry()
    sign_in(page, live_server, entrant)
    puts, stored = watch_puts(page)
    network = throttle(page, SLOW_BYTES_PER_SECOND)
    page.goto(live_server.url + reverse("entry_edit", args=[entry.pk]))

    page.get_by_label("Choose files").set_input_files(str(PHONE_PHOTO))
    row = upload_row(page, PHONE_PHOTO.name)
    bar = row.get_by_role("progressbar")
    wait_until(
        page,
        lambda: int(bar.get_attribute("aria-valuenow")) >= 10,
        "The photo made no progress.",
    )
    network(offline=True)
    wait_for_state(page, row, "waiting", "The photo did not wait for the connection.")

    assert row.locator("[data-upload-status]").inner_text() == WAITING_SINGLE
    photo = ArtworkFile.objects.get(entry=entry)
    assert photo.upload_id == ""
    assert stored == []
    puts.clear()
    network()
    wait_until(page, lambda: processed(photo), "The photo was not sent again.")
    # Sent again whole, once, without the entrant choosing it again.
    assert (puts, stored) == ([1], [1])
    photo.refresh_from_db()
    assert photo.size == PHONE_PHOTO.stat().st_size


def test_a_drafts_ready_file_is_removed_with_the_keyboard_after_confirming(
    live_server, page, browser_uploads
):
    entrant, entry = make_entry()
    client = Client()
    client.force_login(entrant)
    status, done = Browser(client).upload(
        entry, "wrong photo.jpg", jpeg_bytes((640, 480)), "image/jpeg"
    )
    assert status == 200, done
    photo = process_file(done["file"])
    assert photo.state == FileState.READY
    keys = [photo.key, *photo.derivatives.values_list("key", flat=True)]
    sign_in(page, live_server, entrant)
    page.goto(live_server.url + reverse("entry_edit", args=[entry.pk]))

    # What the category takes, as kinds a person knows.
    category = entry.category
    assert page.locator("[data-accepted-types] li").all_inner_texts() == [
        "photos and images: JPEG, PNG, WebP, GIF, HEIC, TIFF, up to "
        f"{filesizeformat(category.max_image_bytes)} each",
        f"videos: MP4, MOV, WebM, M4V, up to {filesizeformat(category.max_video_bytes)}"
        " each",
    ]
    assert " ." not in page.locator("#uploader-help").inner_text()

    item = page.locator(f"#entry-files [data-file-id='{photo.pk}']")
    # Its name says which file, for a screen reader going from button to button.
    remove = item.get_by_role("button", name=re.compile(r"^Remove\W+wrong photo\.jpg$"))
    question = item.locator(f"#remove-question-{photo.pk}")
    remove.focus()
    page.keyboard.press("Enter")
    assert question.is_visible()
    assert question.inner_text() == (
        "Remove wrong photo.jpg from this entry? The file and the copies made of it "
        "are deleted; this cannot be undone."
    )
    assert page.evaluate("document.activeElement.id") == f"remove-question-{photo.pk}"
    # Escape keeps the file.
    page.keyboard.press("Escape")
    assert question.is_hidden()
    assert page.evaluate("document.activeElement.dataset.removeFile") == str(photo.pk)
    assert ArtworkFile.objects.filter(pk=photo.pk).exists()

    # Space works too, as on any button.
    page.keyboard.press(" ")
    assert question.is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Yes, remove it"
    # The thumbnail, loaded lazily once the file came into view, is shown before the
    # file goes: a request still in flight would find its copy removed.
    wait_until(
        page,
        lambda: item.locator("img").evaluate_all(
            "images => images.every(image => image.complete && image.naturalWidth > 0)"
        ),
        "The thumbnail did not load.",
    )
    page.keyboard.press("Enter")
    wait_until(page, lambda: item.count() == 0, "The file was not removed.")

    assert page.evaluate("document.activeElement.id") == "files-heading"
    wait_until(
        page,
        lambda: (
            page.locator("[data-file-announce]").inner_text()
            == "wrong photo.jpg was removed from the entry."
        ),
        "The removal was not announced.",
    )
    assert page.locator("#entry-files").inner_text() == "No files yet."
    assert not ArtworkFile.objects.filter(pk=photo.pk).exists()
    assert [upload_storage.head_object(key) for key in keys] == [None] * len(keys)
    assert (
        AuditEvent.objects.filter(object_id=str(photo.pk)).latest("pk").reason
        == "removed"
    )
