"""An issue's body: Markdown written by editors, shown as safe HTML and as plain text.

The source (Issue.body) is CommonMark with tables and strikethrough, rendered by
markdown-it-py, then cleaned by nh3 with the portal's rich-text rules (common.sanitize)
plus what Markdown itself produces: images, tables, struck text, code blocks. Raw HTML
stays allowed and is cleaned the same way, so the bodies written in HTML before Markdown
render as they did. Images must be the portal's own uploads (newsletters/images/): an
e-mail then never loads a third party's tracking pixel, and the archive page's CSP
(img-src 'self') shows them.

The plain text of the e-mail is made from the same HTML: links written out after their
words, images as their alt text, list items after "- " (or their number).
"""

import re
from html.parser import HTMLParser

import nh3
from django.conf import settings
from django.core.files.storage import default_storage
from markdown_it import MarkdownIt

from common.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES

from .models import IssueImage

IMAGE_FOLDER = "newsletters/images/"
BODY_TAGS = ALLOWED_TAGS | {
    "img", "table", "thead", "tbody", "tr", "th", "td", "s", "del", "pre",
}  # fmt: skip
BODY_ATTRIBUTES = {
    **ALLOWED_ATTRIBUTES,
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"scope"},
}
# The body sits under the issue's subject (the page's and the e-mail's h1).
TOP_HEADING, LOWEST_HEADING = 2, 4


def _markdown():
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    # Editors are not programmers: a line indented by four spaces is text, not code (and
    # an old HTML body's indented tags after a blank line stay HTML). Fenced code stays.
    md.disable("code")
    md.core.ruler.push("newsletter_headings", _headings_and_tables)
    return md


def _headings_and_tables(state):
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(max(int(token.tag[1]), TOP_HEADING), LOWEST_HEADING)
            token.tag = f"h{level}"
        elif token.type == "th_open":
            token.attrs = {"scope": "col"}
        elif token.type == "td_open":
            token.attrs = {}  # alignment comes as a style attribute, which the CSP refuses


MARKDOWN = _markdown()


def image_prefixes():
    """Addresses an image in a body may start with: the public media folder of issue
    images, as a path and as the site's absolute address (or the bucket's)."""
    base = default_storage.url(IMAGE_FOLDER)
    prefixes = [base]
    if base.startswith("/"):
        prefixes.append(settings.SITE_URL + base)
    return tuple(prefixes)


def is_portal_image(src):
    return bool(src) and src.startswith(image_prefixes()) and ".." not in src


def _clean(html, refused=None):
    prefixes = image_prefixes()

    def keep(element, attribute, value):
        if element == "img" and attribute == "src":
            if value.startswith(prefixes) and ".." not in value:
                return value
            if refused is not None:
                refused.append(value)
            return None
        return value

    return nh3.clean(
        html,
        tags=BODY_TAGS,
        attributes=BODY_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=keep,
    ).strip()


def body_html(source, refused=None):
    """The body as safe HTML. refused, a list, receives the image addresses left out."""
    return _clean(MARKDOWN.render(source or ""), refused)


def body_text(source):
    return html_to_text(body_html(source))


_IMAGE = re.compile(r'<img src="([^"]*)"')


def sized_images(html, max_width):
    """Sanitised body HTML whose uploaded images carry their width and height, at most
    max_width wide: Outlook ignores max-width and would show a large picture at full
    size, past the e-mail's column. One query."""
    base = default_storage.url("")
    sources = {
        src.removeprefix(settings.SITE_URL).removeprefix(base): src
        for src in set(_IMAGE.findall(html))
    }
    sizes = {}
    images = IssueImage.objects.filter(image__in=sources).values_list("image", "width", "height")
    for name, width, height in images:
        if width and height:
            shown = min(width, max_width)
            sizes[sources[name]] = (shown, round(height * shown / width))

    def size(match):
        if match.group(1) not in sizes:
            return match.group(0)
        width, height = sizes[match.group(1)]
        return f'{match.group(0)} width="{width}" height="{height}"'

    return _IMAGE.sub(size, html) if sizes else html


def clean_source(source):
    """The source with its top-level raw HTML blocks cleaned, so what the editor sees in
    the form after saving is what readers get (inline HTML is cleaned when rendered)."""
    source = (source or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = source.split("\n")
    replaced = False
    for token in reversed(MARKDOWN.parse(source)):
        if token.type == "html_block" and token.level == 0 and token.map:
            start, end = token.map
            block = "\n".join(lines[start:end])
            cleaned = nh3.clean(
                block,
                tags=BODY_TAGS,
                attributes=BODY_ATTRIBUTES,
                url_schemes=URL_SCHEMES,
                link_rel="noopener noreferrer",
                strip_comments=True,
            ).strip()
            if cleaned != block.strip():
                lines[start:end] = cleaned.split("\n") if cleaned else []
                replaced = True
    return "\n".join(lines).strip() if replaced else source.strip()


class _TextWriter(HTMLParser):
    """Sanitised body HTML to plain text (the parser sees only BODY_TAGS)."""

    BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "pre"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines = []
        self.words = []
        self.lists = []  # [ordered, next number] per open list
        self.marker = None  # the current item's "- " until its first line is written
        self.links = []  # (href, where its words start)
        self.cells = None
        self.quote = 0
        self.pre = 0
        self.blank = False

    def _prefix(self):
        quote = "> " * self.quote
        indent = "   " * max(len(self.lists) - 1, 0)
        if self.marker is not None:
            marker, self.marker = self.marker, None
            return quote + indent + marker
        return quote + indent + ("   " if self.lists else "")

    def _write(self, text):
        if self.blank and self.lines and self.lines[-1].strip("> "):
            # Inside a quote the blank line stays part of it.
            self.lines.append(">" * self.quote if self.lines[-1].startswith(">") else "")
        self.blank = False
        self.lines.append(self._prefix() + text)

    def _flush(self, blank=False):
        text = " ".join("".join(self.words).split())
        self.words = []
        if text:
            self._write(text)
        if blank:
            self.blank = True

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.BLOCKS:
            self._flush(blank=True)
            self.quote += tag == "blockquote"
            self.pre += tag == "pre"
        elif tag in ("ul", "ol"):
            self._flush(blank=not self.lists)
            start = attrs.get("start") or "1"
            self.lists.append([tag == "ol", int(start) if start.isdigit() else 1])
        elif tag == "li":
            self._flush()
            if self.lists and self.lists[-1][0]:
                self.marker = f"{self.lists[-1][1]}. "
                self.lists[-1][1] += 1
            else:
                self.marker = "- "
        elif tag == "br":
            if self.pre:
                self.words.append("\n")
            else:
                self._flush()
        elif tag == "hr":
            self._flush(blank=True)
            self._write("----------")
            self.blank = True
        elif tag == "a":
            self.links.append((attrs.get("href") or "", len(self.words)))
        elif tag == "img":
            self.words.append(attrs.get("alt") or "")
        elif tag == "tr":
            self._flush()
            self.cells = []
        elif tag in ("td", "th"):
            self.words = []

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            if tag == "pre":
                self.pre -= 1
                for line in "".join(self.words).strip("\n").split("\n"):
                    self._write("    " + line)
                self.words = []
                self.blank = True
            else:
                self._flush(blank=True)
            self.quote -= tag == "blockquote" and self.quote > 0
        elif tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()
            self.blank = self.blank or not self.lists
        elif tag == "li":
            self._flush()
            self.marker = None
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            words = " ".join("".join(self.words[start:]).split())
            address = href.removeprefix("mailto:")
            if href and address != words:
                self.words.append(f" ({href})" if words else href)
        elif tag in ("td", "th") and self.cells is not None:
            self.cells.append(" ".join("".join(self.words).split()))
            self.words = []
        elif tag == "tr" and self.cells is not None:
            self._write(" | ".join(self.cells))
            self.cells = None

    def handle_data(self, data):
        self.words.append(data)

    def text(self):
        self._flush()
        return "\n".join(self.lines).strip()


def html_to_text(html):
    """Sanitised body HTML as plain text."""
    writer = _TextWriter()
    writer.feed(html)
    writer.close()
    return writer.text()


def image_snippet(alt_text, url):
    """The Markdown that shows an uploaded image: ![alt](url)."""
    alt = " ".join(alt_text.split()).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return f"![{alt}]({url.replace(' ', '%20').replace('(', '%28').replace(')', '%29')})"
