"""Waiting in a test for something to happen, never for a fixed time."""

import time


def wait_until(condition, *, timeout=10, interval=0.1, message="the condition"):
    """Call ``condition`` every ``interval`` seconds until it returns something
    true, and return that; fail once ``timeout`` seconds have passed, saying
    what was waited for: ``message``, or what it returns if it is a function
    (called only then, e.g. to show a process's output)."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            what = message() if callable(message) else message
            raise AssertionError(f"Waited {timeout} s in vain for {what}.")
        time.sleep(interval)
