"""Writes the PNG icons in public/ from the same shapes as icon.svg: icon-192.png and icon-512.png (purpose
"any"), icon-maskable-192.png and icon-maskable-512.png (purpose "maskable": a launcher crops them to a circle
or a squircle, so the shapes are drawn smaller, inside the safe zone, a circle of 40% of the size about the
centre) and apple-touch-icon.png (180 px, iOS's home screen, which rounds the corners itself).

    python3 scripts/make_icons.py
"""
import struct
import zlib
from pathlib import Path


def png(size, scale=1.0):
    """`scale` shrinks the shapes about the centre (the background stays full-bleed)."""
    bg, red, blue, amber = (0x1B, 0x1F, 0x24), (0xE5, 0x48, 0x4D), (0x3E, 0x63, 0xDD), (0xF5, 0xA6, 0x23)
    s = size / 64
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            u, v = 32 + (x / s - 32) / scale, 32 + (y / s - 32) / scale
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
# The shapes reach 24.5 of 32 units from the centre: at 0.8 they end at 19.6 units, 31% of the size, well
# inside the maskable safe zone (40%), so no launcher's mask cuts a cell.
MASKABLE = 0.8
for n in (192, 512):
    (out / f"icon-{n}.png").write_bytes(png(n))
    (out / f"icon-maskable-{n}.png").write_bytes(png(n, MASKABLE))
(out / "apple-touch-icon.png").write_bytes(png(180, MASKABLE))
