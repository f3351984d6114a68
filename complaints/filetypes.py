"""What an uploaded complaint attachment really is, from its first bytes (never from its name or the
browser's Content-Type). Accepted: photos (JPEG, PNG, WebP, HEIC), PDF, call recordings and voice notes
(MP3, M4A/AAC, AMR, WAV) and short videos (MP4, MOV) — what complainants send from a phone. Anything
else (HTML, SVG, scripts, office files with macros, executables) is refused."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FileKind:
    extension: str  # the extension the file is stored under
    mime: str
    aliases: tuple[str, ...] = ()  # other extensions of this kind (for COMPLAINT_ATTACHMENT_TYPES)

    @property
    def extensions(self) -> tuple[str, ...]:
        return (self.extension, *self.aliases)


JPEG = FileKind("jpg", "image/jpeg", ("jpeg",))
PNG = FileKind("png", "image/png")
WEBP = FileKind("webp", "image/webp")
HEIC = FileKind("heic", "image/heic", ("heif",))
PDF = FileKind("pdf", "application/pdf")
MP3 = FileKind("mp3", "audio/mpeg")
M4A = FileKind("m4a", "audio/mp4", ("aac",))
AMR = FileKind("amr", "audio/amr")
WAV = FileKind("wav", "audio/wav")
MP4 = FileKind("mp4", "video/mp4")
MOV = FileKind("mov", "video/quicktime")

HEAD_BYTES = 32  # enough for every signature below
_BRANDS = {  # ISO base media file (ftyp box at offset 4): the major brand says what it is
    b"heic": HEIC, b"heix": HEIC, b"heim": HEIC, b"heis": HEIC, b"hevc": HEIC, b"mif1": HEIC, b"msf1": HEIC,
    b"M4A ": M4A, b"M4B ": M4A, b"qt  ": MOV,
    b"isom": MP4, b"iso2": MP4, b"mp41": MP4, b"mp42": MP4, b"avc1": MP4, b"MSNV": MP4, b"3gp4": MP4,
    b"3gp5": MP4, b"dash": MP4,
}


def sniff(head: bytes) -> FileKind | None:
    """The kind of a file from its first HEAD_BYTES bytes, or None when it is none we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"#!AMR"):
        return AMR
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return MP3  # an ID3 tag, or an MPEG audio frame sync (11 bits set)
    if head[4:8] == b"ftyp":
        return _BRANDS.get(head[8:12])
    return None


def read_head(file) -> bytes:
    """The first bytes of an uploaded file, leaving it at the start for saving."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return head or b""
