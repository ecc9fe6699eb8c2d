#!/usr/bin/env python3
"""Cross-check of x400-p1 against asn1tools (the conformance kit's independent BER codec).

usage: asn1tools_crosscheck.py KIT_DIR IN.jsonl OUT.jsonl

Each input line is {"type": ASN.1 type in P1-Subset.asn, "hex": our BER, "value": our value in
asn1tools' shape (see tests/common/canon.rs)}. For each line this script
  1. decodes "hex" with asn1tools and compares the decoded value with "value", leaf by leaf;
  2. encodes "value" with asn1tools and writes the octets to OUT, for the Rust side to decode
     with x400-p1 and compare with its own value (the reverse direction);
  3. decodes "hex" with pycrate (the kit's second codec), has pycrate re-encode it, decodes that
     with asn1tools and compares with "value" again: pycrate read every value as we meant it.
It prints one summary line and exits 1 if any value differs or does not decode.
"""
import datetime
import json
import os
import sys

# DEFAULT members asn1tools fills in on decode; our canonical form leaves absent defaults out.
DEFAULTS = {
    "priority": "normal",
    "per-message-indicators": {"$bits": ["", 0]},
    "extensions": [],
    "other-actions": {"$bits": ["", 0]},
    "criticality": {"$bits": ["", 0]},
    "type-of-MTS-user": 0,
    "g3-facsimile": {"$bits": ["", 0]},
    "teletex": {},
}


def canon(v):
    """asn1tools value -> the JSON shape of canon.rs."""
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            c = canon(x)
            if k in DEFAULTS and c == DEFAULTS[k]:
                continue
            # asn1tools 0.169 fills in the DEFAULT {} of TeletexNonBasicParameters as [].
            if k == "teletex" and c == []:
                continue
            # ... and DEFAULT public of TypeOfMTSUser as the name, not the number.
            if k == "type-of-MTS-user" and c == "public":
                continue
            out[k] = c
        return out
    if isinstance(v, list):
        return [canon(x) for x in v]
    if isinstance(v, tuple):
        if isinstance(v[0], (bytes, bytearray)):
            return {"$bits": [bytes(v[0]).hex(), v[1]]}
        return [v[0], canon(v[1])]
    if isinstance(v, (bytes, bytearray)):
        return {"$octets": bytes(v).hex()}
    if isinstance(v, datetime.datetime):
        return {"$time": v.replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M:%S")}
    return v


# Alternative names of the CHOICEs that can appear (a CHOICE is a 2-list [name, value]).
CHOICE_NAMES = {
    "message", "probe", "report", "x121-dcc-code", "iso-3166-alpha2-code", "numeric", "printable",
    "administration-domain-name", "private-domain", "standard-extension", "private-extension",
    "delivery", "non-delivery", "unauthenticated", "authenticated", "simple", "ia5-string",
    "octet-string",
}


def is_choice(v):
    return isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) and v[0] in CHOICE_NAMES


def uncanon2(v):
    if isinstance(v, dict):
        if "$bits" in v:
            h, n = v["$bits"]
            return (bytes.fromhex(h), n)
        if "$octets" in v:
            return bytes.fromhex(v["$octets"])
        if "$time" in v:
            return datetime.datetime.strptime(v["$time"], "%Y-%m-%dT%H:%M:%S")
        return {k: uncanon2(x) for k, x in v.items()}
    if is_choice(v):
        return (v[0], uncanon2(v[1]))
    if isinstance(v, list):
        return [uncanon2(x) for x in v]
    return v


def compare(ours, theirs, path, diffs):
    """Counts the leaves compared; records differences."""
    if isinstance(ours, dict) and isinstance(theirs, dict) and not any(k.startswith("$") for k in ours):
        n = 0
        for k in sorted(set(ours) | set(theirs)):
            if k not in ours or k not in theirs:
                diffs.append("%s/%s: only in %s" % (path, k, "ours" if k in ours else "asn1tools"))
                n += 1
                continue
            n += compare(ours[k], theirs[k], path + "/" + k, diffs)
        return n
    if isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) != len(theirs):
            diffs.append("%s: %d vs %d elements" % (path, len(ours), len(theirs)))
            return 1
        return sum(compare(a, b, "%s[%d]" % (path, i), diffs) for i, (a, b) in enumerate(zip(ours, theirs)))
    if ours != theirs:
        diffs.append("%s: ours %r, asn1tools %r" % (path, ours, theirs))
    return 1


def pycrate_p1(kit, tmp):
    """P1-Subset.asn compiled by pycrate into a temporary module (as the kit's pycrate demo does)."""
    import importlib

    from pycrate_asn1c.asnproc import PycrateGenerator, compile_text, generate_modules

    compile_text(open(os.path.join(kit, "asn1", "P1-Subset.asn")).read())
    generate_modules(PycrateGenerator, os.path.join(tmp, "p1subset_pycrate_xcheck.py"))
    sys.path.insert(0, tmp)
    return importlib.import_module("p1subset_pycrate_xcheck").P1_Subset


def main():
    import tempfile

    kit, inp, outp = sys.argv[1:4]
    sys.path.insert(0, kit)
    import kitenv  # noqa: F401  (the kit's venv finder; we are already running in the venv)
    import asn1tools

    p1 = asn1tools.compile_files(os.path.join(kit, "asn1", "P1-Subset.asn"), "ber")
    tmp = tempfile.TemporaryDirectory()
    pyc = pycrate_p1(kit, tmp.name)
    pdus = leaves = bad = pyc_leaves = 0
    with open(inp) as f, open(outp, "w") as out:
        for line in f:
            rec = json.loads(line)
            diffs = []
            try:
                decoded = canon(p1.decode(rec["type"], bytes.fromhex(rec["hex"])))
                leaves += compare(rec["value"], decoded, rec["type"], diffs)
            except Exception as e:  # noqa: BLE001 - any failure is a finding
                diffs.append("asn1tools cannot decode our octets: %s: %s" % (type(e).__name__, e))
            try:
                theirs = p1.encode(rec["type"], uncanon2(rec["value"]), check_types=False).hex()
            except Exception as e:  # noqa: BLE001
                theirs = None
                diffs.append("asn1tools cannot encode our value: %s: %s" % (type(e).__name__, e))
            try:
                t = getattr(pyc, rec["type"].replace("-", "_"))
                t.from_ber(bytes.fromhex(rec["hex"]))
                via_pycrate = canon(p1.decode(rec["type"], t.to_ber()))
                pyc_leaves += compare(rec["value"], via_pycrate, "pycrate:" + rec["type"], diffs)
            except Exception as e:  # noqa: BLE001
                diffs.append("pycrate cannot decode our octets: %s: %s" % (type(e).__name__, e))
            pdus += 1
            if diffs:
                bad += 1
                print("MISMATCH %s %s\n  %s" % (rec["type"], rec["hex"][:80], "\n  ".join(diffs[:10])))
            out.write(json.dumps({"hex": theirs, "ok": not diffs}) + "\n")
    print("asn1tools decoded %d PDUs of ours and compared %d values; pycrate decoded them too, "
          "%d values compared after its re-encoding; %d PDUs differ" % (pdus, leaves, pyc_leaves, bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
