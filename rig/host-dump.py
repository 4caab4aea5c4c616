#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Dump the vCPU state of a stalled emulated host through QEMU's HMP
monitor socket, with each vCPU's RIP resolved against System.map, so that
a hang leaves a trace in the console log.  Then, per vCPU, the halt state,
EFLAGS.IF and the local APIC (IRR/ISR/timer): a halted vCPU with IF set
and a vector pending in IRR, in two looks a second apart, is an interrupt
QEMU failed to deliver (the lost-interrupt race of QEMU 7.2's SVM
emulation, ../shared/DESIGN.md 6), whether the other vCPUs are halted too
(the host is silent) or run on (the host reports hung tasks).

Usage: host-dump.py <monitor-socket> <System.map>
"""
import bisect
import re
import socket
import sys
import time


def hmp(sock, cmd):
    sock.sendall((cmd + "\n").encode())
    out, end = b"", time.time() + 5
    while time.time() < end:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        out += chunk
    return out.decode(errors="replace")


def load_map(path):
    syms = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[1] in "tTwW":
                syms.append((int(parts[0], 16), parts[2]))
    syms.sort()
    return syms


def resolve(syms, addr):
    i = bisect.bisect_right([a for a, _ in syms], addr) - 1
    if i < 0:
        return "?"
    return "%s+0x%x" % (syms[i][1], addr - syms[i][0])


def rips(sock, cpus):
    out = []
    for cpu in cpus:
        hmp(sock, "cpu %s" % cpu)
        m = re.search(r"[RE]IP=([0-9a-f]+)", hmp(sock, "info registers"))
        out.append(int(m.group(1), 16) if m else None)
    return out


def deliverable(lapic):
    """The highest IRR vector the LAPIC should deliver now, or None: its
    priority class is above PPR's and above that of any vector in ISR."""
    def vectors(name):
        m = re.search(r"^%s\s+(.*)$" % name, lapic, re.M)
        return [int(v) for v in m.group(1).split()] if m and "none" not in m.group(1) else []
    irr, isr = vectors("IRR"), vectors("ISR")
    m = re.search(r"PPR 0x([0-9a-f]+)", lapic)
    if not irr or not m:
        return None
    top = max(irr)
    if top >> 4 <= int(m.group(1), 16) >> 4:
        return None
    if isr and top >> 4 <= max(isr) >> 4:
        return None
    return top


def main():
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(sys.argv[1])
    sock.settimeout(1)
    hmp(sock, "")
    cpus = re.findall(r"CPU #(\d+)", hmp(sock, "info cpus"))
    syms = load_map(sys.argv[2])
    for _ in range(4):  # a few samples: spinning or stopped, and where?
        print("rig: host vCPUs at " + ", ".join(
            "%s: %s" % (c, resolve(syms, r) if r else "?")
            for c, r in zip(cpus, rips(sock, cpus))))
        time.sleep(0.5)
    # Two looks at every vCPU, a second apart: a vCPU that sleeps through
    # a deliverable vector in both has lost it, not merely not yet taken it
    # (the monitor's own requests wake its thread between the looks).
    looks = []
    for n in range(2):
        if n:
            time.sleep(1)
        looks.append({cpu: look(sock, syms, cpu, show=not n) for cpu in cpus})
    print("rig: host-dump verdict: " + verdict(cpus, looks))


def look(sock, syms, cpu, show):
    """One vCPU's (halted with IF=1, deliverable IRR vector or None)."""
    hmp(sock, "cpu %s" % cpu)
    regs = hmp(sock, "info registers")
    # 64-bit mode prints RFL, 32-bit mode EFL.
    flags = {k: re.search(r"\b(?:" + k + r")=([0-9a-f]+)", regs) for k in
             ("RIP", "RFL|EFL", "HLT")}
    vals = {k: (m.group(1) if m else "?") for k, m in flags.items()}
    fl = vals["RFL|EFL"]
    lapic = hmp(sock, "info lapic")
    if show:
        print("rig: host-dump cpu %s: RIP=%s (%s) RFLAGS=%s IF=%s HLT=%s" % (
            cpu, vals["RIP"],
            resolve(syms, int(vals["RIP"], 16)) if vals["RIP"] != "?" else "?",
            fl, (int(fl, 16) >> 9) & 1 if fl != "?" else "?", vals["HLT"]))
        for line in lapic.splitlines():
            line = line.strip()
            if line and not line.startswith("(qemu)") and "info lapic" not in line:
                print("rig: host-dump cpu %s lapic: %s" % (cpu, line))
    halted_if = vals["HLT"] == "1" and fl != "?" and (int(fl, 16) >> 9) & 1 == 1
    return halted_if, deliverable(lapic)


def verdict(cpus, looks):
    """The verdict line's text from the looks at each vCPU.

    Real hardware takes a deliverable vector at once; only an emulator
    that lost the request (interrupt_request's bit) leaves a vCPU asleep
    on one.  Every vCPU asleep is the whole host hung; one asleep while
    another runs is a host that limps on (work queued on the sleeping CPU
    never runs, so tasks waiting for it hang) and is the same fault.
    """
    lost = [cpu for cpu in cpus
            if all(lk[cpu][0] and lk[cpu][1] is not None for lk in looks)]
    if not lost:
        return "not the lost-interrupt signature"
    what = ", ".join("cpu %s vector %d" % (cpu, looks[-1][cpu][1]) for cpu in lost)
    if len(lost) == len(cpus):
        return ("lost interrupt (every vCPU halted with IF=1; deliverable, "
                "not delivered: %s)" % what)
    return ("lost interrupt (%d of %d vCPUs halted with IF=1 in two looks a "
            "second apart; deliverable, not delivered: %s)" % (len(lost), len(cpus), what))

if __name__ == "__main__":
    main()
