"""Regenerate the generated reference pages: ``python -m agentlanes.docgen [--check] [DOCS_DIR]``.

Writes docs/cli.md (from every command's ``--help``) and docs/configuration.md
(from the configuration model). With ``--check``, writes nothing and exits 1
when a page differs from what the code would generate.
"""

from __future__ import annotations

import sys
from pathlib import Path

from agentlanes.artifacts import write_text
from agentlanes.docgen.cli import render_cli_reference
from agentlanes.docgen.configuration import render_configuration_reference

PAGES = {"cli.md": render_cli_reference, "configuration.md": render_configuration_reference}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    folders = [arg for arg in argv if arg != "--check"]
    docs = Path(folders[0]) if folders else Path("docs")
    stale = []
    for name, render in PAGES.items():
        path = docs / name
        text = render()
        current = path.read_text("utf-8") if path.is_file() else None
        if current == text:
            continue
        stale.append(path)
        if not check:
            write_text(path, text)
    for path in stale:
        print(f"{'out of date' if check else 'wrote'}: {path}", file=sys.stderr)
    if check and stale:
        print("run `make docs` to regenerate them", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
