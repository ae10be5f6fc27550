#!/usr/bin/env python3
"""Describes the fatbin inside a library made by `loomc compile --target=cuda`.

Finds the fatbin (magic 0xBA55ED50) in the library's bytes and lists its
images: the PTX (zstd-compressed by fatbinary) and the cubin that ptxas
assembled from it (an ELF for EM_CUDA), each with its architecture; then the
kernels the cubin defines (Loom names them k<N>_<ONNX node>). Exits 1 when
there is no fatbin, or no cubin in it.

    check_fatbin.py LIBRARY
"""
import re
import struct
import sys

FATBIN_MAGIC = 0xBA55ED50
KINDS = {1: "PTX", 2: "cubin"}
EM_CUDA = 190


def main():
    data = open(sys.argv[1], "rb").read()
    at = data.find(struct.pack("<I", FATBIN_MAGIC))
    if at < 0:
        print("no fatbin")
        return 1
    _, _, header, size = struct.unpack_from("<IHHQ", data, at)
    offset, end = at + header, at + header + size
    images, kernels = [], set()
    while offset < end:
        kind, _, entry_header, payload = struct.unpack_from("<HHIQ", data, offset)
        arch = struct.unpack_from("<I", data, offset + 28)[0]
        body = data[offset + entry_header: offset + entry_header + payload]
        images.append(f"{KINDS.get(kind, 'kind %d' % kind)} for sm_{arch}")
        if kind == 2:
            if body[:4] != b"\x7fELF" or struct.unpack_from("<H", body, 18)[0] != EM_CUDA:
                print("a cubin entry that is not a CUDA ELF")
                return 1
            kernels.update(m.decode() for m in re.findall(rb"\.text\.(k\d+_?[A-Za-z0-9_]*)", body))
        offset += entry_header + payload
    print(f"fatbin: {size} bytes, " + ", ".join(sorted(images, reverse=True)))
    for name in sorted(kernels, key=lambda k: int(re.match(r"k(\d+)", k).group(1))):
        print(f"kernel {name}")
    if not any(i.startswith("cubin") for i in images):
        print("no cubin: ptxas did not run")
        return 1
    print(f"cubin: CUDA ELF with {len(kernels)} kernels")
    return 0


if __name__ == "__main__":
    sys.exit(main())
