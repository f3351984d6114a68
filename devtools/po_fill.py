"""Fill Chinese translations into locale/zh_Hans/LC_MESSAGES/django.po from a TSV of
``English<TAB>中文`` lines (developer tool; run ``manage.py makemessages -l zh_Hans`` first, which
needs GNU gettext on the developer's machine; the build itself only needs polib).

    python devtools/po_fill.py devtools/translations/*.tsv
"""

import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale/zh_Hans/LC_MESSAGES/django.po"


def main(paths):
    mapping = {}
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if "\t" in line and not line.startswith("#"):
                en, zh = line.split("\t", 1)
                mapping[en] = zh
    po = polib.pofile(str(PO))
    missing = []
    for entry in po:
        # A context-specific line is written "context::English<TAB>中文" in the TSV.
        key = f"{entry.msgctxt}::{entry.msgid}" if entry.msgctxt else entry.msgid
        if key in mapping:
            entry.msgstr = mapping[key]
            if entry.msgid_plural:
                entry.msgstr_plural = {0: mapping[key]}
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif entry.msgid in mapping and not entry.msgctxt:
            entry.msgstr = mapping[entry.msgid]
            if entry.msgid_plural:
                entry.msgstr_plural = {0: mapping[entry.msgid]}
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not entry.msgstr and not entry.msgstr_plural.get(0):
            missing.append(entry.msgid)
    po.save()
    for msgid in missing:
        print(f"untranslated: {msgid}")
    print(f"{len(po) - len(missing)}/{len(po)} translated")


if __name__ == "__main__":
    main(sys.argv[1:])
