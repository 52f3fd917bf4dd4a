#!/usr/bin/env python3
"""Where each phase of a harness run spends its time, from a JFR recording of that run.

    java -XX:StartFlightRecording=settings=profile,filename=/tmp/run.jfr -cp ... io.fieldcrypt.benchmarks.EndToEndHarness ...
    python3 benchmarks/jfr-phases.py /tmp/run.jfr

The harnesses record a `io.fieldcrypt.benchmarks.Phase` event (variant, phase) around each measured phase. Every
execution sample (`jdk.ExecutionSample`: the thread was running Java code) and native method sample
(`jdk.NativeMethodSample`: the thread was in native code, here almost always a socket read waiting for PostgreSQL)
taken on the phase's thread while it ran is attributed to it. A Java sample goes to the group of the innermost frame
that belongs to a known library (the leaf is often a JDK collection called by one); see GROUPS. The JFR "profile"
settings sample running threads every 10 ms and native ones every 20 ms, so native samples are counted twice to be
comparable. Prints, per variant and phase, the share of each group.
"""
import collections, json, subprocess, sys

# (group, frame prefixes), tried in order against each frame from the leaf outwards.
GROUPS = [
    ("JDK AES-GCM", ("com.sun.crypto.provider.",)),
    ("JDK SecureRandom", ("sun.security.provider.",)),
    ("fieldcrypt hibernate", ("io.fieldcrypt.hibernate.",)),
    ("fieldcrypt core", ("io.fieldcrypt.",)),
    ("pgjdbc", ("org.postgresql.",)),
    ("Hibernate", ("org.hibernate.",)),
]


def group_of(frames):
    for frame in frames:
        name = frame["method"]["type"]["name"].replace("/", ".") + "." + frame["method"]["name"]
        if name.startswith("io.fieldcrypt.benchmarks."):
            break
        for group, prefixes in GROUPS:
            if name.startswith(prefixes):
                return group
    return "JDK, other"


def main(path):
    out = subprocess.run(
        ["jfr", "print", "--json", "--stack-depth", "40", "--events",
         "jdk.ExecutionSample,jdk.NativeMethodSample,io.fieldcrypt.benchmarks.Phase", path],
        check=True, capture_output=True, text=True).stdout
    events = json.loads(out)["recording"]["events"]
    phases = []
    samples = []
    for event in events:
        values = event["values"]
        if event["type"] == "io.fieldcrypt.benchmarks.Phase":
            phases.append((values["eventThread"]["javaThreadId"], values["startTime"], values["duration"],
                           values["variant"], values["phase"]))
        else:
            thread = values.get("sampledThread") or values.get("eventThread")
            weight = 2 if event["type"] == "jdk.NativeMethodSample" else 1
            group = "native (waiting for PostgreSQL)" if weight == 2 else group_of(values["stackTrace"]["frames"])
            samples.append((thread["javaThreadId"], values["startTime"], group, weight))
    from datetime import datetime

    def instant(text):
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()

    def seconds(text):  # ISO-8601 duration such as "PT1.5S" or "PT2M3.1S"
        text = text[2:]
        total = 0.0
        for unit, factor in (("H", 3600), ("M", 60), ("S", 1)):
            if unit in text:
                number, text = text.split(unit, 1)
                total += float(number) * factor
        return total

    shares = collections.defaultdict(collections.Counter)
    windows = [(t, instant(s), instant(s) + seconds(d), v, p) for t, s, d, v, p in phases]
    for thread, time, group, weight in samples:
        at = instant(time)
        for t, start, end, variant, phase in windows:
            if t == thread and start <= at <= end:
                shares[(variant, phase)][group] += weight
                break
    for (variant, phase), counter in sorted(shares.items()):
        total = sum(counter.values())
        parts = ", ".join(f"{group} {100.0 * n / total:.0f}%" for group, n in counter.most_common())
        print(f"{variant:14} {phase:10} {total:6} weighted samples: {parts}")


if __name__ == "__main__":
    main(sys.argv[1])
