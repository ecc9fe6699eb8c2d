#!/usr/bin/env python3
"""Puts RTS PDUs that tests/rts/tshark.rs encoded into session CN/AC/RF/AB SPDUs over TP0 and
TPKT, writes them as a pcap (the conformance kit's osibuild.py and pcaplib.py, used here as
test tooling), checks it with the kit's tshark_check.sh and prints tshark's view of each PDU.

  tshark_pcap.py KIT_DIR OUT.pcap < lines of "CN_HEX REPLY REPLY_HEX"

REPLY is AC, RF or AB. Each line becomes one TCP connection: handshake, CR, CC, the CN with
the PConnect as user data, the reply carrying the second PDU, close. Output: the output of
tshark_check.sh, then for each line "CN <fields>" and "<REPLY> <fields>", the fields being
tshark -V lines of the SPDU's frame from the session layer on, joined with " | ". Exit
status: tshark_check.sh's.
"""
import os
import subprocess
import sys

KIT = sys.argv[1]
sys.path.insert(0, KIT)
import osibuild as o  # noqa: E402
import pcaplib as p  # noqa: E402

FRAMES_PER_CONNECTION = 10  # 3 handshake, CR, CC, CN, reply, 3 close
SI_AB = 25
PI_TRANSPORT_DISCONNECT, PGI_USER_DATA = 17, 193


def reply_spdu(kind, user_data):
    if kind == "AC":
        return o.ses_ac(user_data)
    if kind == "RF":
        return o.ses_rf(user_data)  # reason code 2: rejected by the SS-user, then the PDU
    if kind == "AB":
        # X.225 AB: transport disconnect (release), user data in PGI 193.
        return o.spdu(SI_AB, o.pi(PI_TRANSPORT_DISCONNECT, b"\x01") + o.pi(PGI_USER_DATA, user_data))
    raise ValueError(kind)


def main():
    out = sys.argv[2]
    cases = [line.split() for line in sys.stdin if line.strip()]
    pcap = p.Pcap(out)
    for i, (cn, kind, reply) in enumerate(cases):
        c = p.TcpConv(pcap, ("127.0.0.1", 40000 + i), ("127.0.0.1", 102))
        c.handshake()
        c.send_c(o.tpkt(o.cotp_cr()))
        c.send_s(o.tpkt(o.cotp_cc()))
        c.send_c(o.tpkt(o.cotp_dt(o.ses_cn(bytes.fromhex(cn)))))
        c.send_s(o.tpkt(o.cotp_dt(reply_spdu(kind, bytes.fromhex(reply)))))
        c.close()
    pcap.close()
    check = subprocess.run([os.path.join(KIT, "tshark_check.sh"), out],
                           capture_output=True, text=True)
    sys.stdout.write(check.stdout + check.stderr)
    verbose = subprocess.run(["tshark", "-r", out, "-V"], capture_output=True, text=True, check=True)
    frames, current, upper = {}, None, False
    for line in verbose.stdout.splitlines():
        if line.startswith("Frame "):
            current, upper = int(line.split()[1].rstrip(":")), False
            frames[current] = []
        elif line.startswith("ISO 8327-1 OSI Session Protocol"):
            upper = True
        if current is not None and upper and line.strip():
            frames[current].append(line.strip())
    for i, (_, kind, _) in enumerate(cases):
        base = i * FRAMES_PER_CONNECTION
        print("CN " + " | ".join(frames.get(base + 6, [])))
        print(kind + " " + " | ".join(frames.get(base + 7, [])))
    return check.returncode


if __name__ == "__main__":
    sys.exit(main())
