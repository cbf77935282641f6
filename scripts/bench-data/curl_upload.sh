#!/usr/bin/env bash
# curl's side of the upload benchmark: the same two steps as og:create_upload + og:upload.
#   curl_upload.sh OMNIGAGE_API_URL KEY SECRET ACCOUNT FILE
# 1. POST /uploads to the sandbox's Omnigage emulator: the pre-signed S3 POST form (URL, fields, headers);
# 2. curl -F field=value ... -F file=@FILE to the form's URL, as a browser would.
# Only 127.0.0.1: a form that points anywhere else is refused.
set -euo pipefail
api=$1 key=$2 secret=$3 account=$4 file=$5
size=$(stat -c %s "$file")
case "$api" in http://127.0.0.1:*) ;; *) echo "not a 127.0.0.1 URL: $api" >&2; exit 2 ;; esac

doc=$(curl -sS --fail --noproxy '*' -u "$key:$secret" -H "X-Account-Key: $account" \
    -H 'Content-Type: application/json' -d "{\"name\":\"bench.csv\",\"type\":\"text/csv\",\"size\":$size}" "$api/uploads")
# the form as curl arguments, NUL-separated: the URL first, then -H/--form-string pairs
mapfile -d '' args < <(python3 -c '
import json, sys
a = json.loads(sys.argv[1])["data"]["attributes"]
out = [a["request-url"]]
for h in a.get("request-headers") or []:
    for k, v in h.items(): out += ["-H", f"{k}: {v}"]
for f in a["request-form-data"]:
    for k, v in f.items(): out += ["--form-string", f"{k}={v}"]
sys.stdout.write("\0".join(out) + "\0")' "$doc")
url=${args[0]}
case "$url" in http://127.0.0.1:*) ;; *) echo "form URL is not on 127.0.0.1: $url" >&2; exit 2 ;; esac

# Expect: off (no 1 s wait for "100 Continue"); Content-Type as a field, as Roster sends it.
status=$(curl -sS --noproxy '*' -o /dev/null -w '%{http_code}' -H 'Expect:' "${args[@]:1}" \
    --form-string 'Content-Type=text/csv' -F "file=@$file;type=text/csv;filename=bench.csv" "$url")
case "$status" in 2??) ;; *) echo "S3 POST answered $status" >&2; exit 1 ;; esac
