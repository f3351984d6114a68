"""Write a development .env (DEBUG on, generated secrets) if none exists. Used by ``make run``.

The generated encryption key is what protects ID numbers in the local database: keep the file.
"""

import secrets
import sys
from pathlib import Path

from cryptography.fernet import Fernet

path = Path(sys.argv[1] if len(sys.argv) > 1 else ".env")
if path.exists():
    sys.exit(0)
path.write_text(
    "DEBUG=1\n"
    f"SECRET_KEY={secrets.token_urlsafe(50)}\n"
    f"FIELD_ENCRYPTION_KEYS={Fernet.generate_key().decode()}\n"
    f"BLIND_INDEX_KEY={secrets.token_urlsafe(32)}\n"
)
print(f"Wrote {path} (development settings with generated keys; keep it, it holds the encryption key).")
