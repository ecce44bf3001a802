#!/usr/bin/env python3
"""Writes icon.svg, icon-192.png, icon-512.png and ../favicon.ico from one geometry (standard library only).

The PNGs are committed; rerun this only when the design changes. They are full-bleed
with the house inside the central 80% circle, so they also serve as maskable icons.
"""
import pathlib
import struct
import zlib

BG = (0x0B, 0x4A, 0x8F)
FG = (0xFF, 0xFF, 0xFF)
ACCENT = (0xF5, 0xA6, 0x23)  # the door: a warm light in the shelter

# 512-unit design grid. Painted in order; the last shape containing a point wins.
ROOF = [(256, 112), (104, 252), (408, 252)]
BODY = (148, 236, 364, 396)  # x0, y0, x1, y1
DOOR = (226, 300, 286, 396)


def in_triangle(x, y, tri):
    (x1, y1), (x2, y2), (x3, y3) = tri
    d1 = (x - x2) * (y1 - y2) - (x1 - x2) * (y - y2)
    d2 = (x - x3) * (y2 - y3) - (x2 - x3) * (y - y3)
    d3 = (x - x1) * (y3 - y1) - (x3 - x1) * (y - y1)
    neg = d1 < 0 or d2 < 0 or d3 < 0
    pos = d1 > 0 or d2 > 0 or d3 > 0
    return not (neg and pos)


def in_rect(x, y, r):
    return r[0] <= x < r[2] and r[1] <= y < r[3]


def colour_at(x, y):
    if in_rect(x, y, DOOR):
        return ACCENT
    if in_triangle(x, y, ROOF) or in_rect(x, y, BODY):
        return FG
    return BG


def png(size):
    ss = 4  # supersampling per axis, for smooth roof edges
    scale = 512 / size
    rows = []
    for py in range(size):
        row = bytearray([0])  # filter type: none
        for px in range(size):
            acc = [0, 0, 0]
            for sy in range(ss):
                for sx in range(ss):
                    c = colour_at((px + (sx + 0.5) / ss) * scale, (py + (sy + 0.5) / ss) * scale)
                    acc[0] += c[0]
                    acc[1] += c[1]
                    acc[2] += c[2]
            row += bytes(v // (ss * ss) for v in acc)
        rows.append(bytes(row))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


def ico(png_bytes, size):
    """A favicon.ico holding one PNG image (ICO allows PNG payloads): browsers and tools that
    ask for /favicon.ico without reading the page's <link rel="icon"> get the icon, not a 404."""
    header = struct.pack("<HHH", 0, 1, 1)  # reserved, type 1 (icon), one image
    entry = struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png_bytes), 6 + 16)
    return header + entry + png_bytes


def hexc(c):
    return "#%02x%02x%02x" % c


def svg():
    roof = " ".join(f"{x},{y}" for x, y in ROOF)
    b, d = BODY, DOOR
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">'
        f'<rect width="512" height="512" rx="96" fill="{hexc(BG)}"/>'
        f'<polygon points="{roof}" fill="{hexc(FG)}"/>'
        f'<rect x="{b[0]}" y="{b[1]}" width="{b[2] - b[0]}" height="{b[3] - b[1]}" fill="{hexc(FG)}"/>'
        f'<rect x="{d[0]}" y="{d[1]}" width="{d[2] - d[0]}" height="{d[3] - d[1]}" fill="{hexc(ACCENT)}"/>'
        "</svg>\n"
    )


if __name__ == "__main__":
    here = pathlib.Path(__file__).parent
    (here / "icon.svg").write_text(svg())
    for n in (192, 512):
        (here / f"icon-{n}.png").write_bytes(png(n))
    (here.parent / "favicon.ico").write_bytes(ico(png(48), 48))
