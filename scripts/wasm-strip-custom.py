#!/usr/bin/env python3
"""Drops the custom sections (function names, producers, target features) from wasm modules,
in place. wasm-bindgen does this for the main module; the chunks wasm-split-cli cuts out of it
keep their names otherwise, and names are most of a chunk's bytes. Usage: FILE.wasm..."""
import sys


def leb128(data, i):
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


for path in sys.argv[1:]:
    data = open(path, "rb").read()
    if data[:4] != b"\0asm":
        sys.exit(f"{path}: not a wasm module")
    out, i = bytearray(data[:8]), 8
    while i < len(data):
        size, body = leb128(data, i + 1)
        if data[i] != 0:  # section id 0: custom
            out += data[i : body + size]
        i = body + size
    open(path, "wb").write(out)
