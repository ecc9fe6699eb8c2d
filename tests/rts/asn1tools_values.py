#!/usr/bin/env python3
"""Decodes RTS PDUs with asn1tools, an independent BER codec, and prints each value in the
flat form tests/asn1tools.rs builds from our own values.

  asn1tools_values.py KIT_DIR < lines of "TYPE HEX"

KIT_DIR is the conformance kit (its asn1/X410-OACS.asn is test-oracle data, used here only as
the oracle's input). One output line per input line: the value, or "ERROR <why>".
Exit 2 if asn1tools cannot be imported (run the kit's setup.sh).
"""
import os
import sys

try:
    import asn1tools
except ImportError as e:
    print("asn1tools not importable (%s): run the conformance kit's setup.sh" % e, file=sys.stderr)
    sys.exit(2)


def connection_data(cd):
    kind, value = cd
    if kind == "open":
        return "open=" + bytes(value).hex()
    additional = value.get("additionalReferenceInformation")
    return "recover=%s|%s|%s" % (
        value["callingSSUserReference"].encode("latin-1").hex(),
        value["commonReference"].strftime("%y%m%d%H%M%SZ"),
        "-" if additional is None else additional.encode("latin-1").hex(),
    )


def flat(typ, v):
    if typ in ("PConnect", "PAccept"):
        u = v["pUserData"]
        out = ["syntax=%d" % v["dataTransferSyntax"]["syntax"],
               "checkpointSize=%d" % u["checkpointSize"],
               "windowSize=%d" % u["windowSize" if typ == "PConnect" else "windowsize"]]
        if typ == "PConnect":
            out.append("dialogueMode=%d" % u["dialogueMode"])
        out.append(connection_data(u["connectionData"]))
        if typ == "PConnect":
            out.append("applicationProtocol=%d" % u["applicationProtocol"])
        return " ".join(out)
    if typ == "PRefuse":
        return "refuseReason=%d" % v["refuseReason"]
    if typ == "AbortInformation":
        reason = v.get("abortReason")
        bits = v.get("reflectedParameter")
        return "abortReason=%s reflectedParameter=%s" % (
            "-" if reason is None else reason,
            "-" if bits is None else "%s/%d" % (bytes(bits[0]).hex(), bits[1]))
    raise ValueError("unknown type " + typ)


def main():
    oacs = asn1tools.compile_files(os.path.join(sys.argv[1], "asn1", "X410-OACS.asn"), "ber")
    for line in sys.stdin:
        if not line.strip():
            continue
        typ, hx = line.split()
        try:
            print(flat(typ, oacs.decode(typ, bytes.fromhex(hx))))
        except Exception as e:  # the line says why; the Rust test fails on it
            print("ERROR %s: %s" % (type(e).__name__, str(e).replace("\n", " ")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
