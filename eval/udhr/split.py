#!/usr/bin/env python3
"""Splits UDHR declarations into one HTML page per article, the unit the evaluation judges.

    python3 eval/udhr/split.py SHARED/data/udhr OUT [--no-lang] [--txt] [CODE ...]

For each declaration `CODE.html` (by default the six official UN languages), writes
`OUT/CODE/NN.html` for each `<article data-number="NN">` (01 to 30) and `OUT/CODE/00.html`
for the preamble (`<header>`): a small HTML page with the declaration's `lang` attribute
(left out with --no-lang, so that the index must detect the language) and the article's own
markup, cut from the file by the positions that Python's HTML parser reports.

With --txt, writes `NN.txt` instead: the text of each paragraph, heading and list item, one
paragraph a line (for a build that reads no HTML, to measure it on the same articles).
"""
import html.parser
import sys
from pathlib import Path

UN = ["eng", "fra", "spa", "rus", "arb", "cmn_hans"]


class Text(html.parser.HTMLParser):
    """The text of a page, a line per paragraph, heading or list item."""

    BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "header", "article", "ol", "ul"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines = [""]

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.lines.append("")

    def handle_endtag(self, tag):
        self.handle_starttag(tag, [])

    def handle_data(self, data):
        self.lines[-1] += data

    def text(self):
        return "\n".join(" ".join(l.split()) for l in self.lines if l.strip()) + "\n"


class Cutter(html.parser.HTMLParser):
    """Finds the source ranges of <header> and <article data-number> elements, and the lang."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.text = text
        self.lines = [0]
        for line in text.splitlines(keepends=True):
            self.lines.append(self.lines[-1] + len(line))
        self.lang = None
        self.open = None  # (number, start offset)
        self.depth = 0
        self.parts = {}

    def position(self):
        line, col = self.getpos()
        return self.lines[line - 1] + col

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if self.open is None and (tag == "header" or (tag == "article" and "data-number" in attrs)):
            number = int(attrs["data-number"]) if tag == "article" else 0
            self.open = (number, self.position(), tag)
            self.depth = 0
        elif self.open is not None and tag == self.open[2]:
            self.depth += 1

    def handle_endtag(self, tag):
        if self.open is None or tag != self.open[2]:
            return
        if self.depth:
            self.depth -= 1
            return
        number, start, _ = self.open
        end = self.text.index(">", self.position()) + 1
        self.parts[number] = self.text[start:end]
        self.open = None


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    no_lang = "--no-lang" in sys.argv
    txt = "--txt" in sys.argv
    if len(args) < 2:
        sys.exit(__doc__)
    source, out = Path(args[0]), Path(args[1])
    for code in args[2:] or UN:
        text = (source / "declaration" / f"{code}.html").read_text(encoding="utf-8")
        cutter = Cutter(text)
        cutter.feed(text)
        cutter.close()
        if len(cutter.parts) != 31:
            sys.exit(f"{code}.html: found {len(cutter.parts)} parts, expected the preamble and 30 articles")
        folder = out / code
        folder.mkdir(parents=True, exist_ok=True)
        lang = "" if no_lang or not cutter.lang else f' lang="{cutter.lang}"'
        for number, part in sorted(cutter.parts.items()):
            if txt:
                text = Text()
                text.feed(part)
                text.close()
                (folder / f"{number:02}.txt").write_text(text.text(), encoding="utf-8")
                continue
            page = f"<!doctype html>\n<html{lang}>\n<body>\n{part}\n</body>\n</html>\n"
            (folder / f"{number:02}.html").write_text(page, encoding="utf-8")


if __name__ == "__main__":
    main()
