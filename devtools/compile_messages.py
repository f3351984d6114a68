"""Compile every locale/*/LC_MESSAGES/*.po to .mo with polib (no GNU gettext, no Django settings
needed). Run by make run, make test and the Dockerfile; ``manage.py compile_translations`` too."""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def compile_all(base: Path = ROOT / "locale") -> int:
    count = 0
    for po_path in Path(base).glob("*/LC_MESSAGES/*.po"):
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
        count += 1
    return count


if __name__ == "__main__":
    print(f"Compiled {compile_all()} catalogue(s).")
