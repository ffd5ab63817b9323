"""Helpers for authoring tests: read the editor's forms as a browser would."""

from __future__ import annotations

import html
import re

from werkzeug.datastructures import MultiDict


def form_fields(page: str) -> MultiDict:
    """Every field of the page's first form with a "Save draft" button, as it would be sent."""
    fields = MultiDict()
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page):
        fields.add(html.unescape(name), html.unescape(value))
    for name, value in re.findall(
        r'<input type="(?:text|number)" id="[^"]*" name="([^"]+)" value="([^"]*)"', page
    ):
        fields.add(html.unescape(name), html.unescape(value))
    for name, value in re.findall(
        r'<textarea id="[^"]*" name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S
    ):
        fields.add(html.unescape(name), html.unescape(value))
    return fields


def lesson_form(client, lang: str, module_id: str = "alpha", lesson_id: str = "first"):
    page = client.get(f"/{lang}/trainer/edit/{module_id}/{lesson_id}").get_data(as_text=True)
    fields = form_fields(page)
    for name in ("minutes", "status_as_of"):
        match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
        fields[name] = match.group(1)
    return fields
