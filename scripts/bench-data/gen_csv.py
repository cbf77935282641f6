#!/usr/bin/env python3
"""Deterministic contact CSV for benchmarks: quoted fields with commas and quotes, non-ASCII names.

usage: gen_csv.py OUT.csv [ROWS]   (default 1,000,000 rows, about 71 MB)
"""
import csv
import random
import sys

FIRST = ["Ann", "Bob", "Zoë", "José", "Łukasz", "Søren", "Chloé", "Müller", "Ngọc", "Ana María", "O'Brien", "Renée"]
LAST = ["Smith", "García", "Nowak", "Østergaard", "Dubois, Jr.", "Schäfer", "Nguyễn", "Kowalski", "Brown \"Bo\"", "Ivanova"]
CITIES = ["Sydney", "Melbourne", "Perth", "Kraków", "São Paulo", "Zürich", "Montréal", "Los Angeles, CA"]


def main():
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    rng = random.Random(20240611)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["First Name", "Last Name", "Email", "Phone", "City", "Note"])
        for i in range(rows):
            first = rng.choice(FIRST)
            last = rng.choice(LAST)
            email = f"{first[:3].lower()}.{i}@example.com"
            phone = f"({rng.randint(200, 999)}) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}"
            city = rng.choice(CITIES)
            note = rng.choice(["", "VIP", "called twice, no answer", "said \"call back\"", "n/a"])
            w.writerow([first, last, email, phone, city, note])


if __name__ == "__main__":
    main()
