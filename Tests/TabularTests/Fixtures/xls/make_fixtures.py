#!/usr/bin/env python3
"""Makes the .xls fixtures and their .xlsx twins with LibreOffice (soffice --headless --convert-to).

Sources: contacts.csv and dates1904.fods are written by hand; strings.csv and workbook.fods are written by this
script (deterministic). Each source becomes NAME.xls and NAME.xlsx; run from anywhere:
    python3 Tests/TabularTests/Fixtures/xls/make_fixtures.py
"""
import os
import random
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def strings_csv():
    """Shared strings spread over several CONTINUE records: >8224 bytes of SST, long strings crossing record
    boundaries, 8-bit (Latin-1) and 16-bit (CJK, emoji) text side by side."""
    rng = random.Random(20)
    words = ["Ann", "Zoë", "Ångström", "naïve", "café", "Straße", "東京", "日本語", "😀", "✓", "Ωmega", "Łódź", "ﬁ", "plain", "text", "€"]
    rows = [["id", "text", "note"]]
    for i in range(1, 161):
        n = rng.randint(1, 40)
        text = " ".join(rng.choice(words) for _ in range(n))
        rows.append([str(i), text, rng.choice(["latin only éàü", "ascii only", "漢字かな", "mixed ä 字"])])
    # Long strings: 8-bit only, 16-bit only, and 8-bit text that turns 16-bit past the first record boundary.
    rows.append(["long-ascii", "".join("abcdefghij"[k % 10] for k in range(9000)), "x"])
    rows.append(["long-cjk", "".join("東京大阪名古屋札幌"[k % 9] for k in range(6000)), "y"])
    rows.append(["long-mixed", "é" * 8300 + "字" * 50 + "end", "z"])
    rows.append(["long-emoji", "😀" * 3000 + "!", "w"])
    with open(os.path.join(HERE, "strings.csv"), "w", encoding="utf-8", newline="") as out:
        for row in rows:
            out.write(",".join('"' + cell.replace('"', '""') + '"' for cell in row) + "\n")


FODS_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
 <office:automatic-styles>
  <number:date-style style:name="Ndate"><number:year number:style="long"/><number:text>-</number:text><number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/></number:date-style>
  <number:date-style style:name="Ndmy"><number:day number:style="long"/><number:text>/</number:text><number:month number:style="long"/><number:text>/</number:text><number:year/></number:date-style>
  <number:time-style style:name="Ntime"><number:hours number:style="long"/><number:text>:</number:text><number:minutes number:style="long"/><number:text>:</number:text><number:seconds number:style="long"/></number:time-style>
  <number:date-style style:name="Nstamp"><number:year number:style="long"/><number:text>-</number:text><number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/><number:text> </number:text><number:hours number:style="long"/><number:text>:</number:text><number:minutes number:style="long"/></number:date-style>
  <number:time-style style:name="Nelapsed" number:truncate-on-overflow="false"><number:hours/><number:text>:</number:text><number:minutes number:style="long"/><number:text>:</number:text><number:seconds number:style="long"/></number:time-style>
  <number:percentage-style style:name="Npct"><number:number number:decimal-places="1" number:min-integer-digits="1"/><number:text>%</number:text></number:percentage-style>
  <number:number-style style:name="Nfixed"><number:number number:decimal-places="2" number:min-integer-digits="1" number:grouping="true"/></number:number-style>
  <number:boolean-style style:name="Nbool"><number:boolean/></number:boolean-style>
  <number:text-style style:name="Ntext"><number:text-content/></number:text-style>
  <style:style style:name="cdate" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="Ndate"/>
  <style:style style:name="cdmy" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="Ndmy"/>
  <style:style style:name="ctime" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="Ntime"/>
  <style:style style:name="cstamp" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="Nstamp"/>
  <style:style style:name="celapsed" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="Nelapsed"/>
  <style:style style:name="cpct" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="Npct"/>
  <style:style style:name="cfixed" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="Nfixed"/>
  <style:style style:name="cbool" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="Nbool"/>
  <style:style style:name="ctext" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="Ntext"/>
 </office:automatic-styles>
 <office:body>
  <office:spreadsheet>
"""
FODS_TAIL = """  </office:spreadsheet>
 </office:body>
</office:document>
"""


def esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def styled(style):
    return f' table:style-name="{style}"' if style else ""


def s(text, style=None):
    return f'<table:table-cell{styled(style)} office:value-type="string"><text:p>{esc(text)}</text:p></table:table-cell>'


def n(value, style=None):
    return f'<table:table-cell{styled(style)} office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'


def d(value, style="cdate"):
    return f'<table:table-cell table:style-name="{style}" office:value-type="date" office:date-value="{value}"><text:p>{value}</text:p></table:table-cell>'


def t(value, style="ctime"):
    return f'<table:table-cell table:style-name="{style}" office:value-type="time" office:time-value="{value}"><text:p>{value}</text:p></table:table-cell>'


def b(value):
    word = "true" if value else "false"
    return f'<table:table-cell table:style-name="cbool" office:value-type="boolean" office:boolean-value="{word}"><text:p>{word.upper()}</text:p></table:table-cell>'


def f(formula, kind, value, style=None):
    """A formula with its cached result (LibreOffice 7.4 writes string results other than "" to .xls as the
    number 0, so the fixtures hold number, boolean, error and empty-string results; STRING records are built
    by hand in the tests)."""
    head = f'<table:table-cell{styled(style)} table:formula="of:={esc(formula)}"'
    if kind == "string":
        return f'{head} office:value-type="string" office:string-value="{esc(value)}"><text:p>{esc(value)}</text:p></table:table-cell>'
    if kind == "float":
        return f'{head} office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
    if kind == "date":
        return f'{head} office:value-type="date" office:date-value="{value}"><text:p>{value}</text:p></table:table-cell>'
    if kind == "boolean":
        return f'{head} office:value-type="boolean" office:boolean-value="{value}"><text:p>{value}</text:p></table:table-cell>'
    return f'{head}><text:p>{esc(value)}</text:p></table:table-cell>'


EMPTY = "<table:table-cell/>"


def row(*cells):
    return "    <table:table-row>" + "".join(cells) + "</table:table-row>\n"


def table(name, rows):
    return f'   <table:table table:name="{esc(name)}">\n' + "".join(rows) + "   </table:table>\n"


def workbook_fods():
    """Three sheets (one with a non-ASCII name): dates, times, durations, booleans, formulas with number, boolean,
    date, error and empty-string results, sparse rows, an empty row, RK and MULRK numbers and IEEE doubles.
    Numbers have at most 15 significant digits: LibreOffice writes .xlsx numbers with 15."""
    contacts = [
        row(s("Name"), s("Phone"), s("Active"), s("Joined"), s("Born (d/m/y)"), s("Time"), s("Stamp"), s("Duration"),
            s("Next"), s("Double"), s("Adult"), s("Ratio"), s("Blank"), s("Share"), s("Amount"), s("Code")),
        row(s("Ann Smith"), n(61423456789), b(True), d("2020-02-28"), d("1984-07-04", "cdmy"), t("PT13H45M00S"),
            d("2021-06-30T08:05:00", "cstamp"), t("PT255H10M10S", "celapsed"), f("[.D2]+1", "date", "2020-02-29", "cdate"),
            f("[.C8]*2", "float", 84), f("[.C8]>=18", "boolean", "true"), f("1/0", "error", "#DIV/0!"), f('""', "string", ""),
            n(0.125, "cpct"), n(1234.5, "cfixed"), s("007", "ctext")),
        row(s("Björn Ångström"), n(4670123456), b(False), d("1999-12-31"), d("1900-03-01", "cdmy"), t("PT0H0M1S"),
            d("1900-01-01T00:00:00", "cstamp"), t("PT0H30M0S", "celapsed"), f("[.D3]+1", "date", "2000-01-01", "cdate"),
            f("[.C9]*2", "float", -3), f("[.C9]>=18", "boolean", "false"), f("NA()", "error", "#N/A"), f('""', "string", ""),
            n(-0.5, "cpct"), n(-0.01, "cfixed"), s("0042", "ctext")),
        row(EMPTY, EMPTY, EMPTY, EMPTY),
        row(s("Zoë 日本"), EMPTY, b(True), EMPTY, EMPTY, EMPTY, EMPTY, EMPTY, EMPTY, f("[.C8]/8", "float", 5.25),
            f("AND(TRUE();FALSE())", "boolean", "false")),
        row(s("   spaced   "), s("+44 20 7946 0958"), EMPTY, d("2024-02-29"), EMPTY, EMPTY, EMPTY, EMPTY, EMPTY, EMPTY,
            EMPTY, EMPTY, EMPTY, EMPTY, n("1E+20"), s("x\ny")),
        row(*([EMPTY] * 15), s("only last column")),
        row(s("Inputs"), s("below"), n(42)),
        row(s("more"), s("inputs"), n(-1.5)),
    ]
    overview = [
        row(s("Région"), s("Ventes"), s("Notes")),
        row(s("Île-de-France"), n(1500000), s("€ 1,5 M — «très bien»")),
        row(s("Provence‑Alpes‑Côte d’Azur"), n(0.000123), s("emoji 😀 and ✓")),
        row(EMPTY, EMPTY, s("sparse")),
    ]
    numbers = [row(s("Integer"), s("Cents"), s("Float"), s("Big"), s("Negative"))]
    for values in [(0, 0.01, 0.5, 2 ** 40, -1), (1, 1.23, 0.25, 123456789012345, -536870912),
                   (536870911, 12345.67, 1.75, 536870912, -2.5), (-536870912, -0.07, 0.1, 1e15, "-1E-9"),
                   (100, 99.99, 2.5e-05, 4.5e16, -0.3), (1, 2, 3, 4, 5), (-10, -20, -30, -40, -50)]:
        numbers.append(row(*(n(v) for v in values)))
    with open(os.path.join(HERE, "workbook.fods"), "w", encoding="utf-8") as out:
        out.write(FODS_HEAD + table("Contacts", contacts) + table("Übersicht – 2024", overview) + table("Numbers", numbers) + FODS_TAIL)


def convert(source, target):
    """soffice --convert-to, with CSV read as UTF-8, comma-separated, quoted."""
    with tempfile.TemporaryDirectory() as profile:
        command = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless"]
        if source.endswith(".csv"):
            command.append("--infilter=CSV:44,34,76,1")
        command += ["--convert-to", target, "--outdir", HERE, os.path.join(HERE, source)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    strings_csv()
    workbook_fods()
    for source in ["contacts.csv", "strings.csv", "workbook.fods", "dates1904.fods"]:
        for target in ["xls", "xlsx"]:
            convert(source, target)
