"""axe-core in every page a browser test opens (tests/e2e/vendor/axe-core).

The ``page`` fixture installs an :class:`Axe` in its browser context. axe-core's
default rules run on each HTML page once it has loaded: WCAG 2.0 and 2.1, levels A
and AA, and axe's best practices (its AAA and experimental rules are off by
default). Navigations through the page's own methods (``goto``, ``reload``,
``wait_for_url``, ``expect_navigation``…) return only once that page's run has
finished, so that no page slips through by being left quickly. Violations are
collected with the page's address and the offending elements, and fail the test
at teardown.
"""

import contextlib
from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"

# Only the top document is checked: the portal has no frames, and a page's own
# frames would be reached by axe itself.
CHECK = """
(() => {
  if (window.top !== window) return;
  let runs = Promise.resolve();
  let started = false;
  const node = (found) => ({
    target: found.target.join(" "),
    html: found.html,
    summary: found.failureSummary,
  });
  const report = (url, moment, results) => window.portalAxeReport({
    url,
    moment,
    violations: results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map(node),
    })),
  });
  window.portalAxe = {
    check(moment) {
      started = true;
      if (!location.protocol.startsWith("http") || document.contentType !== "text/html") {
        return runs;
      }
      const url = location.href;
      runs = runs
        .then(() => axe.run(document, {resultTypes: ["violations"]}))
        .then((results) => report(url, moment, results))
        .catch((error) => window.portalAxeReport({url, moment, error: String(error)}));
      return runs;
    },
    settled() {
      return started ? runs : this.check("load");
    },
  };
  window.addEventListener("load", () => window.portalAxe.check("load"));
})();
"""

# The page's methods that end on a newly loaded document.
NAVIGATIONS = (
    "goto",
    "reload",
    "go_back",
    "go_forward",
    "wait_for_url",
    "wait_for_load_state",
)


class Axe:
    def __init__(self):
        # address → rule → offending elements, each once
        self.found = {}
        # (address, moment) of every finished run, in order
        self.checked = []

    def install(self, context):
        context.expose_binding(
            "portalAxeReport", lambda source, report: self._record(report)
        )
        context.add_init_script(script=AXE.read_text(encoding="utf-8") + CHECK)

    def watch(self, page):
        """Make ``page``'s navigations wait for the new page's check."""
        for name in NAVIGATIONS:
            setattr(page, name, self._settling(page, getattr(page, name)))
        expect_navigation = page.expect_navigation

        @contextlib.contextmanager
        def settling_expect_navigation(*args, **kwargs):
            with expect_navigation(*args, **kwargs) as navigation:
                yield navigation
            self._evaluate(page, "() => window.portalAxe?.settled()")

        page.expect_navigation = settling_expect_navigation
        page.check_accessibility = lambda: self.check(page)
        page.axe = self

    def check(self, page):
        """Run axe-core on the page as it is now (a menu opened, a message shown
        by a script); its violations fail the test like the others."""
        self._evaluate(page, "() => window.portalAxe?.check('now')")

    def problems(self):
        return [
            f"{url}\n  {rule}\n" + "\n".join(f"    - {node}" for node in nodes)
            for url, rules in self.found.items()
            for rule, nodes in rules.items()
        ]

    def _settling(self, page, method):
        def settling(*args, **kwargs):
            result = method(*args, **kwargs)
            self._evaluate(page, "() => window.portalAxe?.settled()")
            return result

        return settling

    def _evaluate(self, page, script):
        from playwright.sync_api import Error as PlaywrightError

        try:
            page.evaluate(script)
        except PlaywrightError as error:
            # The page went on to another document, which is checked in its turn.
            if "Execution context was destroyed" not in str(error):
                raise

    def _record(self, report):
        self.checked.append((report["url"], report["moment"]))
        found = self.found.setdefault(report["url"], {})
        if report.get("error"):
            found.setdefault("axe-core could not run", []).append(report["error"])
            return
        for violation in report["violations"]:
            rule = f"{violation['id']} ({violation['impact']}): {violation['help']}"
            nodes = found.setdefault(rule, [])
            for node in violation["nodes"]:
                line = (
                    f"{node['target']}  {node['html'][:300]}\n      {node['summary']}"
                )
                if line not in nodes:
                    nodes.append(line)
        if not found:
            del self.found[report["url"]]
