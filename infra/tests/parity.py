#!/usr/bin/env python3
"""Parity between the function binaries in functions/ and the Terraform functions.

Each functions/<name>/ is a crate whose binary is <name>. Terraform's functions are the keys of
`local.functions` in infra/modules/catalog, read through `terraform console` (Terraform's own
parser, no init needed). Fails, in both directions, when one side has a name the other lacks.

    parity.py [--functions-dir DIR] [--catalog-dir DIR]
    parity.py --self-test      # proves that both directions fail
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CATALOG_FILE = "infra/modules/catalog/functions.tf"


def binaries(functions_dir: Path) -> tuple[set[str], list[str]]:
    """Binary names of the crates in functions/, plus problems found on the way."""
    names, problems = set(), []
    for d in sorted(p for p in functions_dir.iterdir() if p.is_dir()):
        manifest = d / "Cargo.toml"
        if not manifest.exists():
            print(f"  note: {d.name}/ has no Cargo.toml, not a crate: ignored")
            continue
        cargo = tomllib.loads(manifest.read_text())
        package = cargo.get("package", {}).get("name")
        bins = [b.get("name", package) for b in cargo.get("bin", [])] or [package]
        if d.name not in bins:
            problems.append(
                f"functions/{d.name}/Cargo.toml builds {', '.join(map(str, bins))}, "
                f"not a binary named {d.name!r}: the binary must be named after its directory"
            )
        names.add(d.name)
    return names, problems


def terraform_functions(catalog_dir: Path) -> set[str]:
    out = subprocess.run(
        ["terraform", f"-chdir={catalog_dir}", "console"],
        input="jsonencode(keys(local.functions))\n",
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        sys.exit(f"FAIL: terraform console in {catalog_dir} failed:\n{out.stderr}")
    return set(json.loads(json.loads(out.stdout.strip())))


def check(functions_dir: Path, catalog_dir: Path) -> list[str]:
    bins, problems = binaries(functions_dir)
    tf = terraform_functions(catalog_dir)
    print(f"  binaries in functions/: {', '.join(sorted(bins)) or '(none)'}")
    print(f"  Terraform functions:    {', '.join(sorted(tf)) or '(none)'}")
    for name in sorted(bins - tf):
        problems.append(
            f"binary functions/{name}/ has no Terraform function: add \"{name}\" = {{ ... }} "
            f"to local.functions in {CATALOG_FILE}"
        )
    for name in sorted(tf - bins):
        problems.append(
            f"Terraform function \"{name}\" ({CATALOG_FILE}) has no binary: "
            f"there is no crate functions/{name}/ (remove the entry or add the crate)"
        )
    if not bins:
        problems.append("no function crates found in functions/")
    return problems


def self_test() -> int:
    """Both directions must fail: an extra crate, and an extra Terraform function."""
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        funcs, catalog = tmp / "functions", tmp / "catalog"
        shutil.copytree(ROOT / "infra/modules/catalog", catalog)
        funcs.mkdir()
        for name in terraform_functions(catalog):
            (funcs / name).mkdir()
            (funcs / name / "Cargo.toml").write_text(f'[package]\nname = "{name}"\n')
        cases = {
            "matching": (lambda: None, 0),
            "crate without a function": (
                lambda: (funcs / "extra-worker").mkdir()
                or (funcs / "extra-worker/Cargo.toml").write_text('[package]\nname = "extra-worker"\n'),
                1,
            ),
            "function without a crate": (
                lambda: shutil.rmtree(funcs / "extra-worker")
                or (catalog / "functions.tf").write_text(
                    (catalog / "functions.tf").read_text().replace(
                        "  functions = {\n", '  functions = {\n    "ghost-api" = {}\n', 1
                    )
                ),
                1,
            ),
        }
        for label, (mutate, expected) in cases.items():
            mutate()
            problems = check(funcs, catalog)
            ok = len(problems) == expected
            failures += not ok
            print(f"  self-test {label}: {'ok' if ok else 'WRONG'} ({problems[0] if problems else 'no problem'})")
    return failures


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--functions-dir", type=Path, default=ROOT / "functions")
    ap.add_argument("--catalog-dir", type=Path, default=ROOT / "infra/modules/catalog")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    if args.self_test:
        failed = self_test()
        print("parity self-test:", "FAIL" if failed else "PASS")
        return 1 if failed else 0
    problems = check(args.functions_dir, args.catalog_dir)
    for p in problems:
        print(f"  FAIL: {p}")
    print("parity:", "FAIL" if problems else "PASS")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
