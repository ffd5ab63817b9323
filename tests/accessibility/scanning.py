"""Scanning a page with axe at a phone's and a desktop's size, and moving about the site
as a person does: signing in through the form, answering a quiz."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tests.accessibility.conftest import VIEWPORTS
from tests.support import factories

# WCAG 2.0 and 2.1, levels A and AA.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = ("serious", "critical")

RUN_AXE = """async ([tags, failing]) => {
    const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
    return result.violations
        .filter((v) => failing.includes(v.impact))
        .map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            url: v.helpUrl,
            nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
        }));
}"""

# The focused element shows where it is: an outline or a box shadow.
FOCUS_SHOWN = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    return {
        tag: el.tagName.toLowerCase() + (el.id ? "#" + el.id : ""),
        text: (el.innerText || el.value || el.name || "").trim().slice(0, 40),
        shown: outline || style.boxShadow !== "none",
    };
}"""


@dataclass
class Scanner:
    """Scans pages of one language; keeps what axe found and saves a screenshot of each."""

    axe_source: str
    folder: Path
    lang: str
    found: list[str] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)

    def visit(self, page, url: str, name: str, status: int = 200, **options) -> None:
        response = page.goto(url)
        assert response is not None
        assert response.status == status, f"{name}: {url} answered {response.status}"
        self.scan(page, name, **options)

    def scan(self, page, name: str, sizes=tuple(VIEWPORTS), pictures: bool = True) -> None:
        """The page as it is now, at each size: its language, axe's findings, a picture."""
        page.wait_for_load_state("load")
        html_lang = page.get_attribute("html", "lang")
        if html_lang != self.lang:
            self.found.append(f"{name} [{self.lang}]: <html lang={html_lang!r}>")
        page.evaluate(self.axe_source)
        for viewport in sizes:
            page.set_viewport_size(VIEWPORTS[viewport])
            label = f"{name} [{self.lang}, {viewport}] {page.url}"
            for v in page.evaluate(RUN_AXE, [TAGS, list(FAILING)]):
                lines = [f"{label}: {v['id']} ({v['impact']}) {v['help']} <{v['url']}>"]
                lines += [f"    {n['target']}: {n['summary']}" for n in v["nodes"]]
                self.found.append("\n".join(lines))
            if pictures:
                page.screenshot(
                    path=str(self.folder / f"{name}-{self.lang}-{viewport}.png"), full_page=True
                )
            self.scanned.append(label)
        page.set_viewport_size(VIEWPORTS["phone"])

    def report(self) -> str:
        return f"{len(self.found)} finding(s) on {len(self.scanned)} scans:\n" + "\n".join(
            self.found
        )


def sign_in(context, base: str, lang: str, email: str, password: str = factories.PASSWORD):
    """A page of the context, signed in through the form."""
    page = context.new_page()
    page.goto(f"{base}/{lang}/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/sign-in" not in page.url, f"signing in as {email} failed"
    return page


def answer_every_question(page) -> None:
    """Answer each question of the attempt on the page (the first option; places in order)."""
    for fieldset in page.locator("fieldset.question").all():
        selects = fieldset.locator("select").all()
        for place, select in enumerate(selects, start=1):
            select.select_option(str(place))
        if not selects:
            fieldset.locator("input").first.check()
