"""Generated sections of packages/models/MODEL_CARD.md, between <!-- name:begin --> and <!-- name:end -->."""

import re


def replace_section(path: str, name: str, body: str) -> None:
    """Replace the text between the section's markers (which must exist) with ``body``."""
    text = open(path, encoding="utf-8").read()
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{path}: markers {begin} ... {end} not found")
    text = pattern.sub(lambda _: f"{begin}\n{body.strip()}\n{end}", text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
