#!/usr/bin/env python3
"""Decodes P1 reports (MTS-APDU, X.411 12.2) with the conformance kit's asn1tools module, not
with x400-p1, and prints what a test checks as one JSON object per file.

usage: report_oracle.py KIT FILE...
"""
import json
import os
import sys

KIT = sys.argv[1]
sys.path.insert(0, KIT)
import kitenv  # noqa: E402

kitenv.require("asn1tools")
import asn1tools  # noqa: E402

P1 = asn1tools.compile_files(os.path.join(KIT, "asn1", "P1-Subset.asn"), "ber")


def choice(v):
    """The chosen value of an asn1tools CHOICE (a (name, value) pair)."""
    return v[1] if isinstance(v, tuple) else v


def domain(g):
    prmd = choice(g["private-domain-identifier"]) if "private-domain-identifier" in g else ""
    return "C=%s;ADMD=%s;PRMD=%s" % (
        choice(g["country-name"]), choice(g["administration-domain-name"]), prmd)


def name(o):
    a = o["built-in-standard-attributes"]
    parts = []
    if "private-domain-name" in a:
        parts.append("PRMD=" + choice(a["private-domain-name"]))
    if "personal-name" in a:
        parts.append("S=" + a["personal-name"]["surname"])
    return ";".join(parts)


def report(path):
    with open(path, "rb") as f:
        kind, value = P1.decode("MTS-APDU", f.read())
    if kind != "report":
        return {"file": path, "kind": kind}
    env, content = value["envelope"], value["content"]
    recipients = []
    for r in content["per-recipient-fields"]:
        rtype, rvalue = r["last-trace-information"]["report-type"]
        entry = {"name": name(r["actual-recipient-name"]), "type": rtype,
                 "number": r["originally-specified-recipient-number"]}
        if rtype == "non-delivery":
            entry["reason"] = rvalue["non-delivery-reason-code"]
            entry["diagnostic"] = rvalue.get("non-delivery-diagnostic-code")
        recipients.append(entry)
    subject = content["subject-identifier"]
    return {
        "file": path,
        "kind": kind,
        "subject": subject["local-identifier"],
        "subject_domain": domain(subject["global-domain-identifier"]),
        "report_domain": domain(env["report-identifier"]["global-domain-identifier"]),
        "destination": name(env["report-destination-name"]),
        "trace": [domain(t["global-domain-identifier"]) for t in env["trace-information"]],
        "recipients": recipients,
    }


for p in sys.argv[2:]:
    print(json.dumps(report(p)))
