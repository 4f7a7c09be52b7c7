"""What a browser test asks of a page as a person without a mouse, or with a
phone, meets it: reaching a control with Tab, and a page no wider than the
screen."""


def tab_to(page, selector, *, presses=120):
    """Press Tab until the element ``selector`` has the focus: it is reached
    by the keyboard, as a person without a mouse would."""
    target = page.locator(selector)
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{selector} was not reached with Tab")


def assert_fits_the_screen(page):
    """On the phone the page never scrolls sideways; a wide table scrolls in its
    own region instead."""
    if page.viewport_name != "phone":
        return
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]} px wide on the phone"
