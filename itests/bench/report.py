#!/usr/bin/env python3
"""Turns bench.sh's results (lines "PEER<TAB>METRIC<TAB>VALUE") into one markdown table of medians.

  report.py RESULTS_FILE PEER...
"""
import os
import statistics
import sys

COLUMNS = [
    ("up1500", "1500 up Gbit/s", "{:.2f}"),
    ("down1500", "1500 down Gbit/s", "{:.2f}"),
    ("up65520", "65520 up Gbit/s", "{:.2f}"),
    ("down65520", "65520 down Gbit/s", "{:.2f}"),
    ("pp50", "ping-pong p50 µs", "{:.1f}"),
    ("pp99", "ping-pong p99 µs", "{:.1f}"),
    ("rate", "conn/s", "{:,.0f}"),
    ("rss_idle", "RSS idle MiB", "{:.0f}"),
    ("rss_1000", "RSS {} conns MiB".format(os.environ.get("HOLD_CONNS", "1000")), "{:.0f}"),
]
# Processes beside the daemon whose RSS is shown in parentheses (the guest-side forwarder).
EXTRA_RSS = {"rss_idle": "rss_fwd_idle", "rss_1000": "rss_fwd_1000"}


def load(path):
    values, labels, notes = {}, {}, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t", 2)
            if len(parts) != 3:
                continue
            peer, metric, value = parts
            if metric == "label":
                labels[peer] = value
            elif metric == "note":
                if (peer, value) not in notes:
                    notes.append((peer, value))
            else:
                try:
                    values.setdefault((peer, metric), []).append(float(value))
                except ValueError:
                    notes.append((peer, f"{metric}: unparsable value {value!r}"))
    return values, labels, notes


def cell(values, peer, metric, fmt):
    samples = values.get((peer, metric))
    if not samples:
        return "n/a"
    text = fmt.format(statistics.median(samples))
    extra = values.get((peer, EXTRA_RSS.get(metric, "")))
    if extra:
        text += " (+{:.0f} fwd)".format(statistics.median(extra))
    return text


def main(argv):
    values, labels, notes = load(argv[1])
    peers = argv[2:]
    print("| peer | " + " | ".join(title for _, title, _ in COLUMNS) + " |")
    print("|---|" + "---:|" * len(COLUMNS))
    for peer in peers:
        cells = [cell(values, peer, metric, fmt) for metric, _, fmt in COLUMNS]
        print(f"| {labels.get(peer, peer)} | " + " | ".join(cells) + " |")
    if notes:
        print()
        for peer, text in notes:
            print(f"- {labels.get(peer, peer)}: {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
