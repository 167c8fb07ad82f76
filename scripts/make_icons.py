"""Writes public/icon-192.png and icon-512.png (the PWA icons) from the same shapes as icon.svg."""
import struct
import zlib
from pathlib import Path


def png(size):
    bg, red, blue, amber = (0x1B, 0x1F, 0x24), (0xE5, 0x48, 0x4D), (0x3E, 0x63, 0xDD), (0xF5, 0xA6, 0x23)
    s = size / 64
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            u, v = x / s, y / s
            c = bg
            d1 = ((u - 24) ** 2 + (v - 26) ** 2) ** 0.5
            if 9.5 <= d1 <= 14.5:
                c = red
            if ((u - 42) ** 2 + (v - 40) ** 2) ** 0.5 <= 10:
                c = blue
            if ((u - 44) ** 2 + (v - 18) ** 2) ** 0.5 <= 4:
                c = amber
            row += bytes(c)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


out = Path(__file__).resolve().parent.parent / "public"
for n in (192, 512):
    (out / f"icon-{n}.png").write_bytes(png(n))
