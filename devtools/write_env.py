"""Write a development .env (DEBUG on, generated secrets) if none exists. Used by ``make run``.

The generated encryption key is what protects ID numbers in the local database: keep the file. It is
created readable by its owner only (mode 600), and an existing .env readable by others is tightened.
"""

import os
import secrets
import stat
import sys
from pathlib import Path

from cryptography.fernet import Fernet

path = Path(sys.argv[1] if len(sys.argv) > 1 else ".env")
if path.exists():
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o600)
        print(f"{path} was readable by others: now mode 600 (it holds the encryption keys).")
    sys.exit(0)
content = (
    "DEBUG=1\n"
    f"SECRET_KEY={secrets.token_urlsafe(50)}\n"
    f"FIELD_ENCRYPTION_KEYS={Fernet.generate_key().decode()}\n"
    f"BLIND_INDEX_KEY={secrets.token_urlsafe(32)}\n"
)
# Created with mode 600 in one step (O_EXCL): the secrets are never readable by others, whatever the umask.
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
with os.fdopen(fd, "w") as file:
    file.write(content)
print(f"Wrote {path} (development settings with generated keys; keep it, it holds the encryption key).")
