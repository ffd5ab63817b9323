"""Markdown to safe HTML, once per text, with content links rewritten to page URLs.

Lesson files link to each other as relative `.md` paths and to images under
`content/media/`, so the files read well in a code review. The page URLs are laid out
like the files (`/<lang>/learn/<module>/<lesson>`, `/<lang>/media/<file>`), so a
relative `.md` link becomes the same relative URL without the suffix.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "img", "li", "ol", "p",
    "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"style"}}
EXTERNAL_SCHEMES = ("http://", "https://", "mailto:")
# `[term](glossary:observer)` links a key term to its entry on the glossary page, which
# sits at /<lang>/learn/glossary, one level above a lesson's URL.
GLOSSARY_SCHEME = "glossary:"


@dataclass
class Reference:
    """A link or image found in a Markdown text, with its 1-based line in that text."""

    kind: str  # "link" or "image"
    target: str
    line: int
    alt: str = ""


@dataclass
class Rendered:
    html: str
    references: list[Reference] = field(default_factory=list)


def is_external(target: str) -> bool:
    return target.lower().startswith(EXTERNAL_SCHEMES)


def _page_url(target: str) -> str:
    path, sep, fragment = target.partition("#")
    if path.endswith(".md"):
        path = path[: -len(".md")]
    return path + sep + fragment


def render(text: str) -> Rendered:
    """Render Markdown to sanitised HTML and list every link and image in it."""
    tokens = _md.parse(text)
    references: list[Reference] = []
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        line = token.map[0] + 1 if token.map else 1
        for child in token.children:
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                references.append(Reference("link", href, line))
                if href.startswith(GLOSSARY_SCHEME):
                    child.attrSet("href", "../glossary#" + href[len(GLOSSARY_SCHEME) :])
                elif not is_external(href) and not href.startswith("#"):
                    child.attrSet("href", _page_url(href))
            elif child.type == "image":
                src = str(child.attrGet("src") or "")
                alt = "".join(c.content for c in child.children or []).strip()
                references.append(Reference("image", src, line, alt))
            elif child.type in ("softbreak", "hardbreak"):
                # markdown-it maps lines per block; a break inside it starts the next line
                line += 1
    html = _md.renderer.render(tokens, _md.options, {})
    safe = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return Rendered(safe, references)


def resolve(source_dir: str, target: str) -> str:
    """The content-relative path a relative reference points at (POSIX, normalised)."""
    path = target.partition("#")[0]
    return posixpath.normpath(posixpath.join(source_dir, path))
