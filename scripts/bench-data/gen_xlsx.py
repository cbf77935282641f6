#!/usr/bin/env python3
"""Deterministic contact workbook for benchmarks: shared strings, phone numbers stored as numbers, dates.

usage: gen_xlsx.py OUT.xlsx [ROWS]   (default 100,000 rows; needs openpyxl)
"""
import datetime
import random
import sys

from openpyxl import Workbook

FIRST = ["Ann", "Bob", "Zoë", "José", "Łukasz", "Søren", "Chloé", "Müller", "Ngọc", "Ana María"]
LAST = ["Smith", "García", "Nowak", "Østergaard", "Dubois, Jr.", "Schäfer", "Nguyễn", "Kowalski"]
CITIES = ["Sydney", "Melbourne", "Perth", "Kraków", "São Paulo", "Zürich"]


def main():
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    rng = random.Random(20240611)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Contacts")
    ws.append(["First Name", "Last Name", "Email", "Phone", "City", "Joined"])
    base = datetime.date(2015, 1, 1)
    for i in range(rows):
        first = rng.choice(FIRST)
        ws.append([
            first,
            rng.choice(LAST),
            f"{first[:3].lower()}.{i}@example.com",
            14070000000 + rng.randint(0, 9_999_999),
            rng.choice(CITIES),
            base + datetime.timedelta(days=rng.randint(0, 3000)),
        ])
    wb.save(out)


if __name__ == "__main__":
    main()
