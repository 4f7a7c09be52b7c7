"""An entrant follows processing in the browser: a file turns from processing to
ready with its thumbnail without a reload (a song with album art too), and a refused
file is replaced with the keyboard alone, in Traditional Chinese, on a laptop and a
phone."""

import pytest
from django.urls import reverse

from submissions.enums import FileState, MediaKind
from submissions.models import ArtworkFile
from submissions.services.processing import process_file
from tests import media_fixtures
from tests.e2e.media import PHONE_PHOTO
from tests.e2e.session import sign_in
from tests.e2e.test_uploads_browser import make_entry
from tests.upload_helpers import stored_file

WAIT_MS = 30_000


def test_a_file_turns_ready_with_its_thumbnail_while_the_page_is_open(
    live_server, page, browser_uploads
):
    entrant, entry = make_entry()
    file = stored_file(
        entry, PHONE_PHOTO.read_bytes(), name="harbour.jpg", state=FileState.UPLOADED
    )
    sign_in(page, live_server, entrant)

    page.goto(live_server.url + reverse("my_entries"))
    item = page.locator(f"[data-file-id='{file.pk}']")
    assert item.get_attribute("data-file-state") == "uploaded"
    assert "We are checking the file" in item.inner_text()

    # The worker finishes while the entrant watches.
    process_file(file)

    page.wait_for_selector(
        f"[data-file-id='{file.pk}'][data-file-state=ready]", timeout=WAIT_MS
    )
    item = page.locator(f"[data-file-id='{file.pk}']")
    assert "Ready" in item.inner_text()
    thumbnail = item.locator("img.file-thumb")
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
    )
    assert page.locator("[data-file-announce]").inner_text() == "harbour.jpg is ready."
    assert (
        page.evaluate("document.documentElement.scrollWidth")
        <= page.viewport_size["width"]
    )


@pytest.fixture(scope="session")
def album_song(tmp_path_factory):
    """An MP3 whose ID3 tag holds a 190 KB cover picture ahead of the sound."""
    folder = tmp_path_factory.mktemp("album")
    cover = media_fixtures.make_cover(folder / "cover.jpg")
    return media_fixtures.make_mp3_with_cover(folder / "song.mp3", cover)


def test_a_song_with_album_art_turns_ready_with_its_waveform(
    live_server, page, browser_uploads, album_song
):
    entrant, entry = make_entry(media_kinds=[MediaKind.AUDIO])
    file = stored_file(
        entry,
        album_song.read_bytes(),
        name="night-ferry.mp3",
        state=FileState.UPLOADED,
        kind=MediaKind.AUDIO,
    )
    sign_in(page, live_server, entrant)
    page.goto(live_server.url + reverse("my_entries"))

    process_file(file)

    page.wait_for_selector(
        f"[data-file-id='{file.pk}'][data-file-state=ready]", timeout=WAIT_MS
    )
    item = page.locator(f"[data-file-id='{file.pk}']")
    assert "Ready" in item.inner_text()
    assert "not a sound recording" not in item.inner_text()
    thumbnail = item.locator("img.file-thumb")
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth === 480",
        arg=thumbnail.element_handle(),
    )
    assert (
        page.locator("[data-file-announce]").inner_text() == "night-ferry.mp3 is ready."
    )


def test_a_refused_file_is_replaced_with_the_keyboard_in_chinese(
    live_server, page, browser_uploads
):
    entrant, entry = make_entry()
    good = stored_file(
        entry, PHONE_PHOTO.read_bytes(), name="good.jpg", state=FileState.UPLOADED
    )
    process_file(good)
    refused = stored_file(
        entry,
        b"not a photo",
        name="broken.jpg",
        state=FileState.REJECTED,
        reason="corrupt",
        position=1,
    )
    entrant.language = "zh-hant"
    entrant.save(update_fields=["language"])
    sign_in(page, live_server, entrant, language="zh-hant")

    page.goto(live_server.url + reverse("entry_edit", args=[entry.pk]))
    item = page.locator(f"#entry-files [data-file-id='{refused.pk}']")
    text = item.inner_text()
    assert "damaged" not in text
    assert "broken.jpg" in text
    replace = item.locator(f"[data-replace-file='{refused.pk}']")
    assert replace.is_visible()

    # Tab to the button and press Enter: the file chooser opens. (Listening
    # before the key is pressed: Playwright intercepts the chooser only once a
    # listener exists, and the interception must be in place in time.)
    choosers = []
    page.on("filechooser", lambda chooser: choosers.append(chooser))
    page.wait_for_timeout(200)
    replace.focus()
    assert page.evaluate("document.activeElement.dataset.replaceFile") == str(
        refused.pk
    )
    page.keyboard.press("Enter")
    wait = 0
    while not choosers:
        assert wait < 100, "The file chooser did not open."
        page.wait_for_timeout(100)
        wait += 1
    choosers[0].set_files(str(PHONE_PHOTO))

    page.wait_for_selector(
        f"#entry-files [data-file-state=ready]:has-text('{PHONE_PHOTO.name}')",
        timeout=WAIT_MS,
    )
    assert page.locator(f"#entry-files [data-file-id='{refused.pk}']").count() == 0
    assert not ArtworkFile.objects.filter(pk=refused.pk).exists()
    new = ArtworkFile.objects.get(entry=entry, original_name=PHONE_PHOTO.name)
    assert (new.state, new.position) == (FileState.READY, 1)
    assert (
        page.evaluate("document.documentElement.scrollWidth")
        <= page.viewport_size["width"]
    )
