"""Unit tests for building document previews from their first bytes."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib

import pytest

from contacts_tui import document_preview
from contacts_tui.document_preview import (
    CSV_ROWS,
    PDFTOTEXT_NOTE,
    PREVIEW_BYTES,
    Preview,
    build_preview,
    preview_read_limit,
)

HAS_PDFTOTEXT = shutil.which("pdftotext") is not None


def preview(data: bytes, name: str, media_type: str = "", size: int | None = None) -> Preview:
    return build_preview(
        data, file_name=name, media_type=media_type, size=len(data) if size is None else size
    )


def facts(result: Preview) -> dict[str, str]:
    return dict(result.facts)


def png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
        + b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x80\x00\x00" + b"\x00" * 9 + b";"


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    exif_padding = b"\xff\xe1" + struct.pack(">H", 2 + 300) + b"\x00" * 300
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\x00" * 3
    return (
        b"\xff\xd8" + app0 + exif_padding + sof0 + b"\xff\xda\x00\x08" + b"\x00" * 6 + b"\xff\xd9"
    )


def bmp(width: int, height: int) -> bytes:
    info = struct.pack("<IiiHH", 40, width, -height, 1, 24) + b"\x00" * 24
    return b"BM" + struct.pack("<IHHI", 14 + len(info), 0, 0, 14 + len(info)) + info


def webp_lossless(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    body = b"VP8L" + struct.pack("<I", 5) + b"\x2f" + struct.pack("<I", bits)
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def pdf(*lines: str) -> bytes:
    """A minimal one-page PDF with the given lines of Helvetica text."""
    content = (
        "BT /F1 12 Tf 20 100 Td " + " ".join(f"({line}) Tj 0 -14 Td" for line in lines) + " ET"
    )
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


# --- text and code -----------------------------------------------------------------------


def test_plain_text() -> None:
    result = preview(b"Call back on Monday.\n\tAsk for the signed offer.\n", "notes.txt")

    assert result.kind == "text"
    assert result.text == "Call back on Monday.\n\tAsk for the signed offer.\n"
    assert result.language is None
    assert result.truncated is False
    assert facts(result) == {"Type": "Plain text", "Size": "48 B", "Encoding": "UTF-8"}


def test_source_code_gets_a_language() -> None:
    result = preview(b"def main():\n    return 42\n", "script.py", "text/x-python")

    assert result.kind == "code"
    assert result.language == "python"
    assert facts(result)["Type"] == "Python source"


def test_file_without_a_known_extension_is_text() -> None:
    assert preview(b"just words", "README").kind == "text"


def test_escape_sequences_and_control_characters_are_stripped() -> None:
    nasty = (
        b"\x1b[2J\x1b[31mred\x1b[0m\r\n"
        b"\x1b]0;owned title\x07title gone\n"
        b"\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\\n"
        b"bell\x07 back\x08space\x1bc reset\n"
        + "csi8\u009b2J bidi\u202eexe.txt \u2066iso\u2069 tab\tkept\n".encode()
    )
    result = preview(nasty, "log.txt")

    assert result.text == (
        "red\ntitle gone\nlink\nbell backspace reset\ncsi8 bidiexe.txt iso tab\tkept\n"
    )


def test_lone_carriage_returns_become_newlines() -> None:
    assert preview(b"first\rsecond\r\n", "old-mac.txt").text == "first\nsecond\n"


def test_long_text_is_cut_to_the_preview_size() -> None:
    data = b"line of text\n" * (PREVIEW_BYTES // 10)
    result = preview(data, "big.txt")

    assert result.kind == "text"
    assert result.truncated is True
    assert len(result.text) == PREVIEW_BYTES
    assert facts(result)["Size"] == human(len(data))


def test_text_counts_as_truncated_when_only_the_first_part_was_read() -> None:
    result = preview(b"first part", "big.txt", size=10 * PREVIEW_BYTES)
    assert result.truncated is True
    assert facts(result)["Size"] == "2.5 MB"


def test_utf8_cut_inside_a_character_stays_utf8() -> None:
    data = ("é" * PREVIEW_BYTES).encode()  # two bytes each: the cut lands mid-character or not
    odd = b"a" + data
    result = preview(odd, "accents.txt")

    assert result.kind == "text"
    assert facts(result)["Encoding"] == "UTF-8"
    assert set(result.text[1:]) == {"é"}


def test_byte_order_mark_text() -> None:
    result = preview(b"\xff\xfe" + "Notiz: Grüße".encode("utf-16-le"), "n.txt")

    assert result.kind == "text"
    assert result.text == "Notiz: Grüße"
    assert facts(result)["Encoding"] == "UTF-16"


def test_legacy_8bit_text_is_read_when_mostly_printable() -> None:
    result = preview("Café crème, ½ price".encode("latin-1"), "menu.txt")

    assert result.kind == "text"
    assert result.text == "Café crème, ½ price"


def test_bytes_that_are_not_text_are_binary() -> None:
    noise = bytes(range(1, 32)) * 50 + bytes(range(0x80, 0xA0)) * 50
    result = preview(noise, "mystery.dat", "application/octet-stream")

    assert result.kind == "binary"
    assert result.text == ""
    assert facts(result) == {"Type": "Binary file", "Size": human(len(noise))}


def test_bytes_with_nul_are_binary() -> None:
    result = preview(b"MZ\x90\x00\x03\x00\x00\x00", "setup.exe", "application/x-msdownload")
    assert result.kind == "binary"
    assert facts(result)["Type"] == "application/x-msdownload"


def test_zip_is_binary_with_a_type() -> None:
    result = preview(b"PK\x03\x04" + b"\x00" * 30, "bundle.zip", "application/zip")
    assert result.kind == "binary"
    assert facts(result)["Type"] == "ZIP archive"


# --- CSV ---------------------------------------------------------------------------------


def test_csv_rows_with_ragged_rows_padded() -> None:
    data = b"name,email,phone\nAda,ada@example.com\nBob,bob@example.com,+4930123,extra\n\n"
    result = preview(data, "contacts.csv", "text/csv")

    assert result.kind == "csv"
    assert result.rows == (
        ("name", "email", "phone", ""),
        ("Ada", "ada@example.com", "", ""),
        ("Bob", "bob@example.com", "+4930123", "extra"),
    )
    assert result.truncated is False
    assert facts(result)["Type"] == "CSV table"


def test_csv_delimiter_is_sniffed() -> None:
    data = b'name;city;note\n"M\xc3\xbcller";Berlin;"says ""hi"""\nRossi;Roma;\n'
    result = preview(data, "export.csv")

    assert result.rows == (
        ("name", "city", "note"),
        ("Müller", "Berlin", 'says "hi"'),
        ("Rossi", "Roma", ""),
    )


def test_csv_shows_the_first_rows_only() -> None:
    data = b"n,square\n" + b"".join(f"{i},{i * i}\n".encode() for i in range(1000))
    result = preview(data, "squares.csv")

    assert len(result.rows) == CSV_ROWS
    assert result.rows[0] == ("n", "square")
    assert result.rows[-1] == (str(CSV_ROWS - 2), str((CSV_ROWS - 2) ** 2))
    assert result.truncated is True


def test_csv_cells_are_one_clean_line() -> None:
    data = b'a,b\n"multi\nline","\x1b[31mred\x1b[0m"\n'
    assert preview(data, "x.csv").rows == (("a", "b"), ("multi line", "red"))


def test_csv_cut_mid_record_drops_the_half_line() -> None:
    data = b"a,b\n1,2\n3,4"
    result = preview(data, "x.csv", size=10 * PREVIEW_BYTES)
    assert result.rows == (("a", "b"), ("1", "2"))
    assert result.truncated is True


# --- PDF ---------------------------------------------------------------------------------


@pytest.mark.skipif(not HAS_PDFTOTEXT, reason="pdftotext (poppler-utils) is not installed")
def test_pdf_text_through_pdftotext() -> None:
    data = pdf("Hello PDF", "Second line")
    result = preview(data, "offer.pdf", "application/pdf")

    assert result.kind == "pdf"
    assert "Hello PDF" in result.text
    assert "Second line" in result.text
    assert "\f" not in result.text
    assert facts(result)["Type"] == "PDF document"


def test_pdf_without_pdftotext_shows_facts_and_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = preview(pdf("Hello PDF"), "offer.pdf", "application/pdf")

    assert result.kind == "pdf"
    assert result.text == ""
    assert facts(result)["Note"] == PDFTOTEXT_NOTE
    assert facts(result)["Type"] == "PDF document"


def fake_pdftotext(
    monkeypatch: pytest.MonkeyPatch, outcome: bytes | BaseException
) -> list[tuple[list[str], dict]]:
    """Pretend pdftotext is installed; record how it is called and answer with outcome."""
    calls: list[tuple[list[str], dict]] = []

    def run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
        calls.append((args, kwargs))
        if isinstance(outcome, BaseException):
            raise outcome
        return subprocess.CompletedProcess(args, 0, stdout=outcome, stderr=b"")

    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/pdftotext")
    monkeypatch.setattr(subprocess, "run", run)
    return calls


def test_pdf_text_is_cleaned_and_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    data = pdf("ignored")
    calls = fake_pdftotext(monkeypatch, b"\x1b]0;owned\x07Offer\x1b[2J\n\f" + b"x" * PREVIEW_BYTES)
    result = preview(data, "offer.pdf", "application/pdf")

    assert result.text.startswith("Offer\nxxx")
    assert len(result.text) == PREVIEW_BYTES
    assert result.truncated is True
    args, kwargs = calls[0]
    assert args[0] == "/usr/bin/pdftotext"
    assert args[1:] == ["-q", "-l", "5", "-enc", "UTF-8", "-", "-"]
    assert kwargs["input"] == data
    assert kwargs["timeout"] == 10
    assert not kwargs.get("shell")


def test_pdftotext_taking_too_long_gives_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_pdftotext(monkeypatch, subprocess.TimeoutExpired(["pdftotext"], 10))
    result = preview(pdf("slow"), "slow.pdf", "application/pdf")

    assert result.kind == "pdf"
    assert result.text == ""
    assert facts(result)["Note"] == "Reading the PDF text took too long."


@pytest.mark.skipif(not HAS_PDFTOTEXT, reason="pdftotext (poppler-utils) is not installed")
def test_damaged_pdf_gets_a_note_not_an_error() -> None:
    result = preview(b"%PDF-1.4\nnot really a pdf", "broken.pdf", "application/pdf")
    assert result.kind == "pdf"
    assert result.text == ""
    assert "no text" in facts(result)["Note"]


def test_pdfs_are_read_further_than_other_files() -> None:
    assert preview_read_limit("application/pdf") > PREVIEW_BYTES
    assert preview_read_limit("text/plain") == PREVIEW_BYTES


# --- images ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "type_name"),
    [
        (png(640, 480), "PNG image"),
        (gif(640, 480), "GIF image"),
        (jpeg(640, 480), "JPEG image"),
        (bmp(640, 480), "BMP image"),
        (webp_lossless(640, 480), "WebP image"),
    ],
)
def test_image_dimensions_from_the_header(data: bytes, type_name: str) -> None:
    result = preview(data, "photo.bin", "application/octet-stream")

    assert result.kind == "image"
    assert facts(result) == {"Type": type_name, "Size": human(len(data)), "Dimensions": "640 × 480"}


def test_width_and_height_are_not_swapped() -> None:
    for data in (png(3, 7), gif(3, 7), jpeg(3, 7), bmp(3, 7), webp_lossless(3, 7)):
        assert facts(preview(data, "tall"))["Dimensions"] == "3 × 7"


def test_image_with_a_cut_header_has_no_dimensions() -> None:
    result = preview(png(640, 480)[:14], "half.png", "image/png")
    assert result.kind == "image"
    assert "Dimensions" not in facts(result)


def test_jpeg_without_a_frame_header_has_no_dimensions() -> None:
    result = preview(b"\xff\xd8\xff\xe0\x00\x04ab\xff\xd9" + b"\x00" * 20, "x.jpg")
    assert result.kind == "image"
    assert "Dimensions" not in facts(result)


def human(n: int) -> str:
    return document_preview.human_size(n)
