#!/usr/bin/env python3
"""Download the real recordings of the manifest into the data directory and verify their hashes.

    python3 scripts/real-recordings/download.py [--data DIR]

Each recording (and its reference files) is fetched from GitHub at the pinned commit of the manifest,
exactly as published, into DIR/<id>/ (DIR defaults to $PORTAL_REAL_RECORDINGS or
~/.cache/ride-portal/real-recordings). A file whose sha256 differs from the manifest is deleted and
reported. Standard library only.
"""

import argparse
import hashlib
import json
import os
import sys
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
MANIFEST = os.path.join(HERE, "..", "..", "Portal.Tests", "Analytics", "RealRecordings", "real-recordings.json")


def raw_url(repository, commit, path):
    owner_repo = repository.removeprefix("https://github.com/").strip("/")
    return f"https://raw.githubusercontent.com/{owner_repo}/{commit}/{urllib.parse.quote(path)}"


def fetch(url, target, sha256):
    if os.path.exists(target) and digest(target) == sha256:
        print(f"ok       {target}")
        return True
    with urllib.request.urlopen(url, timeout=120) as response, open(target, "wb") as out:
        while chunk := response.read(1 << 20):
            out.write(chunk)
    if digest(target) != sha256:
        os.remove(target)
        print(f"MISMATCH {url}: sha256 differs from the manifest; file removed", file=sys.stderr)
        return False
    print(f"fetched  {target}")
    return True


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=os.environ.get("PORTAL_REAL_RECORDINGS") or os.path.expanduser("~/.cache/ride-portal/real-recordings"))
    args = parser.parse_args()
    with open(MANIFEST, encoding="utf-8") as f:
        manifest = json.load(f)
    good = True
    for rec in manifest["recordings"]:
        folder = os.path.join(args.data, rec["id"])
        os.makedirs(folder, exist_ok=True)
        files = [(rec["file"], rec["path"], rec["sha256"])] + [(r["file"], r["path"], r["sha256"]) for r in rec.get("reference_files", [])]
        for name, path, sha in files:
            good &= fetch(raw_url(rec["repository"], rec["commit"], path), os.path.join(folder, name), sha)
        provenance_path = os.path.join(folder, "provenance.json")
        if not os.path.exists(provenance_path):
            provenance = {k: rec[k] for k in ("id", "repository", "path", "commit", "licence", "vehicle", "device", "description")}
            with open(provenance_path, "w", encoding="utf-8") as f:
                json.dump(provenance, f, indent=2, ensure_ascii=False)
    sys.exit(0 if good else 1)


if __name__ == "__main__":
    main()
