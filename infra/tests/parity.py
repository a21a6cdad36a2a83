#!/usr/bin/env python3
"""Parity between the function binaries, their OpenAPI documents and the Terraform catalog.

Terraform's functions are the entries of `local.functions` in infra/modules/catalog, read
through `terraform console` (Terraform's own parser, no init needed). Two checks:

1. Binaries: each functions/<name>/ is a crate whose binary is <name>. Fails, in both
   directions, when one side has a name the other lacks.
2. Routes: each function's OpenAPI document (`<binary> --openapi` prints it) against the API
   Gateway route keys in its catalog entry (`routes`). A function without routes (a queue
   consumer, a scheduled function) is a plain Lambda runtime binary with no --openapi, which
   outside Lambda would wait on the runtime API: it is never run, and has no document; check 1
   still applies to it. Fails when
   - an operation (METHOD path) of a function's document is not routed to that function: no
     route key matches it, or the most specific matching key belongs to another function;
   - a route key of a function routes none of the operations of that function's document;
   - a route key appears twice (also under other path-parameter names, which route the same
     requests).
   API Gateway's choice among matching keys is modelled by `best_routes` below.

    parity.py [--functions-dir DIR] [--catalog-dir DIR] [--bin-dir DIR | --openapi-dir DIR]
    parity.py --self-test      # proves that every rule fails, and that a matching setup passes

--bin-dir (default target/debug) runs `<dir>/<binary> --openapi` for each function with routes
(<binary> is the entry's `artifact` when set, else its key). --openapi-dir reads
`<dir>/<function>.json` instead, which needs no cargo build.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CATALOG_FILE = "infra/modules/catalog/functions.tf"
OPENAPI_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ROUTE_METHODS = {m.upper() for m in OPENAPI_METHODS} | {"ANY"}


# --- binaries ----------------------------------------------------------------------------------


def binaries(functions_dir: Path) -> tuple[dict[str, str], list[str]]:
    """Binary names of the crates in functions/ (to their package names), plus problems found."""
    names, problems = {}, []
    for d in sorted(p for p in functions_dir.iterdir() if p.is_dir()):
        manifest = d / "Cargo.toml"
        if not manifest.exists():
            print(f"  note: {d.name}/ has no Cargo.toml, not a crate: ignored")
            continue
        if (d / "spin.toml").exists():
            print(f"  note: {d.name}/ is a Spin application (spin.toml), not a Lambda function: ignored")
            continue
        cargo = tomllib.loads(manifest.read_text())
        package = cargo.get("package", {}).get("name")
        bins = [b.get("name", package) for b in cargo.get("bin", [])] or [package]
        if d.name not in bins:
            problems.append(
                f"functions/{d.name}/Cargo.toml builds {', '.join(map(str, bins))}, "
                f"not a binary named {d.name!r}: the binary must be named after its directory"
            )
        names[d.name] = package or d.name
    return names, problems


def read_catalog(catalog_dir: Path) -> dict[str, dict]:
    """local.functions: function name -> its entry (routes, artifact, ...)."""
    out = subprocess.run(
        ["terraform", f"-chdir={catalog_dir}", "console"],
        input="jsonencode(local.functions)\n",
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        sys.exit(f"FAIL: terraform console in {catalog_dir} failed:\n{out.stderr}")
    return json.loads(json.loads(out.stdout.strip()))


def check_binaries(bins: set[str], catalog: dict[str, dict]) -> list[str]:
    problems, tf = [], set(catalog)
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


# --- OpenAPI documents -------------------------------------------------------------------------


def binary_of(function: str, entry: dict) -> str:
    return entry.get("artifact") or function


def routed(catalog: dict[str, dict]) -> dict[str, dict]:
    """The HTTP functions: those with routes. The others (queue consumers, scheduled functions)
    serve no OpenAPI document and must not be run: their binaries only speak the Lambda runtime
    API."""
    return {function: entry for function, entry in catalog.items() if entry.get("routes")}


def documents_from_bins(bin_dir: Path, catalog: dict[str, dict], packages: dict[str, str]):
    """Runs `<bin_dir>/<binary> --openapi` for each function with routes: ({function: document},
    problems)."""
    docs, problems, missing = {}, [], []
    for function, entry in sorted(routed(catalog).items()):
        exe = bin_dir / binary_of(function, entry)
        if not os.access(exe, os.X_OK):
            missing.append(binary_of(function, entry))
            continue
        try:
            out = subprocess.run([str(exe), "--openapi"], capture_output=True, text=True,
                                 stdin=subprocess.DEVNULL, cwd=ROOT, timeout=60, check=False)
        except subprocess.TimeoutExpired:
            problems.append(f"{exe} --openapi did not exit within 60 s")
            continue
        if out.returncode != 0:
            problems.append(f"{exe} --openapi exited {out.returncode}: {out.stderr.strip()[-400:] or '(no stderr)'}")
            continue
        doc, problem = parse_document(out.stdout, f"{exe} --openapi")
        if problem:
            problems.append(problem)
        else:
            docs[function] = doc
    if missing:
        release = " --release" if bin_dir.name == "release" else ""
        pkgs = " ".join(f"-p {packages.get(b, b)}" for b in sorted(set(missing)))
        problems.append(
            f"no executable {', '.join(sorted(set(missing)))} in {bin_dir}: build the function binaries "
            f"first with `cargo build{release} {pkgs}`, or pass --bin-dir DIR (where they are) "
            f"or --openapi-dir DIR (<function>.json documents)"
        )
    return docs, problems


def documents_from_dir(openapi_dir: Path, catalog: dict[str, dict]):
    """Reads `<openapi_dir>/<function>.json` for each function with routes: ({function: document},
    problems)."""
    docs, problems = {}, []
    for function in sorted(routed(catalog)):
        path = openapi_dir / f"{function}.json"
        if not path.is_file():
            problems.append(f"no OpenAPI document {path} for function {function!r}")
            continue
        doc, problem = parse_document(path.read_text(), str(path))
        if problem:
            problems.append(problem)
        else:
            docs[function] = doc
    return docs, problems


def parse_document(text: str, source: str) -> tuple[dict, str | None]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        first = text.strip().splitlines()[0][:120] if text.strip() else "(empty)"
        return {}, f"{source}: not a JSON document ({e}); output starts with: {first}"
    if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
        return {}, f"{source}: not an OpenAPI document (no \"paths\" object)"
    return doc, None


def operations(doc: dict) -> list[tuple[str, str]]:
    """(METHOD, path) of every operation; path items also hold non-method keys (parameters...)."""
    return sorted(
        (method.upper(), path)
        for path, item in doc.get("paths", {}).items()
        for method in item
        if method in OPENAPI_METHODS
    )


# --- API Gateway route matching ----------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    function: str
    key: str
    method: str  # GET, POST, ..., ANY; "" for $default
    segments: tuple[str, ...]  # without the greedy {name+} segment
    greedy: bool  # ends with {name+}: one or more further segments


def is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def split_path(path: str) -> tuple[str, ...]:
    return tuple(s for s in path.split("/") if s)


def parse_route(function: str, key: str) -> Route | str:
    """A route key ("GET /v1/tenants/{tenant_id}", "ANY /v1/{proxy+}", "$default"), or an error."""
    if key == "$default":
        return Route(function, key, "", (), True)
    m = re.fullmatch(r"(\S+) (/\S*)", key)
    if not m or m[1] not in ROUTE_METHODS:
        return f"route key {key!r} of {function} is not \"METHOD /path\" (METHOD one of {', '.join(sorted(ROUTE_METHODS))})"
    segments = split_path(m[2])
    greedy = [i for i, s in enumerate(segments) if re.fullmatch(r"\{[^{}]+\+\}", s)]
    if greedy and greedy != [len(segments) - 1]:
        return f"route key {key!r} of {function}: a greedy {{name+}} variable must be the last segment"
    return Route(function, key, m[1], segments[:-1] if greedy else segments, bool(greedy))


def matches(route: Route, method: str, path: str) -> bool:
    """Whether API Gateway would send every request of the operation `method path` to `route`.

    A route segment {x} matches one segment (a literal or one of the operation's {params}); a
    literal matches only the same literal (not an operation's {param}, which it covers only in
    part); a trailing {proxy+} matches one or more segments; ANY matches every method; $default
    matches everything.
    """
    if route.method == "":
        return True
    if route.method not in ("ANY", method):
        return False
    segments = split_path(path)
    if len(segments) <= len(route.segments) if route.greedy else len(segments) != len(route.segments):
        return False
    return all(is_param(r) or r == s for r, s in zip(route.segments, segments))


def specificity(route: Route) -> tuple:
    """Larger is more specific. In order: any route beats $default; an exact path beats a greedy
    {proxy+} one; a specific method beats ANY; then, segment by segment from the left, a literal
    beats a {param} (GET /pets/dog/1 beats GET /pets/dog/{id}); among greedy routes a longer
    prefix wins."""
    return (
        route.method != "",
        not route.greedy,
        route.method not in ("", "ANY"),
        tuple(0 if is_param(s) else 1 for s in route.segments),
    )


def best_routes(routes: list[Route], method: str, path: str) -> list[Route]:
    """The routes API Gateway picks for the operation: the most specific matching ones. More than
    one only for keys that differ in parameter names alone, which check_routes reports."""
    candidates = [r for r in routes if matches(r, method, path)]
    if not candidates:
        return []
    top = max(map(specificity, candidates))
    return [r for r in candidates if specificity(r) == top]


def shape(route: Route) -> str:
    """A route key with its parameter names erased: keys of the same shape route the same requests."""
    path = "/".join("{}" if is_param(s) else s for s in route.segments)
    return route.key if not route.method else f"{route.method} /{path}{'/{+}' if route.greedy else ''}"


def is_health(path: str) -> bool:
    return path == "/v1/health" or path.startswith("/v1/health/")


def check_routes(catalog: dict[str, dict], docs: dict[str, dict], table: bool = False) -> list[str]:
    problems, routes = [], []
    for function, entry in sorted(catalog.items()):
        for key in entry.get("routes") or []:
            route = parse_route(function, key)
            if isinstance(route, str):
                problems.append(route)
            else:
                routes.append(route)

    by_shape: dict[str, list[Route]] = {}
    for r in routes:
        by_shape.setdefault(shape(r), []).append(r)
    for same in by_shape.values():
        if len(same) > 1:
            where = ", ".join(f"{r.key!r} in {r.function}" for r in same)
            problems.append(f"route key appears {len(same)} times ({where}): API Gateway can route it to only one function")

    served: dict[Route, list[str]] = {r: [] for r in routes}  # route -> operations of its own function
    elsewhere: dict[str, list[str]] = {}  # function -> health operations routed to another function
    for function in sorted(docs):
        for method, path in operations(docs[function]):
            op = f"{method} {path}"
            best = best_routes(routes, method, path)
            own = [r for r in best if r.function == function]
            if own:
                for r in own:
                    served[r].append(op)
            elif not best:
                problems.append(
                    f"operation {op} of {function} has no API Gateway route: add a route key for it to "
                    f"\"{function}\".routes in {CATALOG_FILE}"
                )
            elif is_health(path):
                # Every function serves the health probes (/v1/health...) for direct calls, but API
                # Gateway routes them to one function only; so a health operation may be routed to
                # another function. Any other operation must reach the function that serves it.
                elsewhere.setdefault(function, []).append(f"{op} -> {best[0].function}")
            else:
                problems.append(
                    f"operation {op} of {function} is routed by API Gateway to {best[0].function} "
                    f"(route {best[0].key!r}): route it to {function}, or remove it from {function}"
                )

    for r in routes:
        if r.function in docs and not served[r]:
            problems.append(
                f"route key {r.key!r} of {r.function} routes none of its operations (dead route): "
                f"remove it from {CATALOG_FILE}, or serve it in {r.function}"
            )

    if table:
        rows = [(r.function, r.key, ", ".join(served[r]) or ("(none)" if r.function in docs else "(no document)"))
                for r in routes]
        rows += [(f, "(routed elsewhere)", ", ".join(ops)) for f, ops in sorted(elsewhere.items())]
        widths = [max(len(row[i]) for row in rows + [("function", "route key", "")]) for i in range(2)]
        print(f"  {'function':<{widths[0]}}  {'route key':<{widths[1]}}  operations matched")
        for f, key, ops in rows:
            print(f"  {f:<{widths[0]}}  {key:<{widths[1]}}  {ops}")
    return problems


# --- self-test ---------------------------------------------------------------------------------


def write_catalog(catalog_dir: Path, functions: dict[str, list[str]]) -> None:
    """A catalog module whose local.functions holds only routes (enough for check_routes)."""
    entries = "".join(
        f'    "{name}" = {{\n      routes = [{", ".join(json.dumps(r) for r in routes)}]\n    }}\n'
        for name, routes in functions.items()
    )
    (catalog_dir / "functions.tf").write_text(f"locals {{\n  functions = {{\n{entries}  }}\n}}\n")


def write_docs(openapi_dir: Path, docs: dict[str, list[str]]) -> None:
    for f in openapi_dir.glob("*.json"):
        f.unlink()
    for name, ops in docs.items():
        paths: dict[str, dict] = {}
        for op in ops:
            method, path = op.split(" ", 1)
            paths.setdefault(path, {})[method.lower()] = {"responses": {"200": {"description": "ok"}}}
        (openapi_dir / f"{name}.json").write_text(json.dumps({"openapi": "3.1.0", "paths": paths}))


def self_test_matching() -> int:
    """best_routes against the example of AWS's "Routing API requests" documentation, and ANY."""
    failures = 0
    pets = ["GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}", "$default"]
    me = ["ANY /v1/me", "GET /v1/me"]
    cases = [
        (pets, "GET /pets/dog/1", "GET /pets/dog/1"),
        (pets, "GET /pets/dog/2", "GET /pets/dog/{id}"),
        (pets, "GET /pets/dog/{pet_id}", "GET /pets/dog/{id}"),
        (pets, "GET /pets/cat/1", "GET /pets/{proxy+}"),
        (pets, "POST /pets/cat/1", "ANY /{proxy+}"),
        (pets, "GET /pets", "ANY /{proxy+}"),
        (pets, "GET /", "$default"),
        (me, "GET /v1/me", "GET /v1/me"),
        (me, "DELETE /v1/me", "ANY /v1/me"),
        (me, "GET /v1/me/avatar", None),
        (["GET /v1/{proxy+}", "ANY /v1/me"], "GET /v1/me", "ANY /v1/me"),  # exact path before method
        (["ANY /v1/{proxy+}", "ANY /v1/me/{proxy+}"], "GET /v1/me/avatar", "ANY /v1/me/{proxy+}"),
    ]
    for keys, op, expected in cases:
        routes = [parse_route("f", k) for k in keys]
        method, path = op.split(" ", 1)
        best = best_routes(routes, method, path)
        got = best[0].key if best else None
        ok = got == expected and len(best) <= 1
        failures += not ok
        if not ok:
            print(f"  self-test match {op} among {keys}: WRONG (got {got}, expected {expected})")
    print(f"  self-test route matching: {len(cases) - failures}/{len(cases)} cases pick API Gateway's route")
    return failures


def self_test_routes(tmp: Path) -> int:
    """Each route rule fails on its own, from a passing fixture."""
    catalog_dir, openapi_dir, bin_dir = tmp / "route-catalog", tmp / "openapi", tmp / "bin"
    for d in (catalog_dir, openapi_dir, bin_dir):
        d.mkdir()
    base_routes = {
        "accounts-api": ["POST /v1/signup", "GET /v1/me", "GET /v1/health", "GET /v1/health/ready"],
        "tenants-api": ["GET /v1/tenants/{tenant_id}", "ANY /v1/tenants/{tenant_id}/{proxy+}"],
        "files-api": ["GET /v1/tenants/{tenant_id}/files"],  # beats tenants-api's greedy route
    }
    base_docs = {
        "accounts-api": ["POST /v1/signup", "GET /v1/me", "GET /v1/health", "GET /v1/health/ready"],
        "tenants-api": ["GET /v1/tenants/{tenant_id}", "GET /v1/tenants/{tenant_id}/members",
                        "PATCH /v1/tenants/{tenant_id}/members/{user_id}", "GET /v1/health", "GET /v1/health/ready"],
        "files-api": ["GET /v1/tenants/{tenant_id}/files"],
    }

    def with_(base: dict, function: str, add=(), remove=()) -> dict:
        out = {k: list(v) for k, v in base.items()}
        out[function] = [x for x in out[function] if x not in remove] + list(add)
        return out

    cases = [  # label, routes, documents, expected fragment of the one problem (None: passes)
        ("matching (health served by two functions)", base_routes, base_docs, None),
        ("routeless function (queue consumer) needs no document", base_routes | {"jobs-worker": []}, base_docs, None),
        ("function with routes but no document", base_routes | {"billing-api": ["GET /v1/billing"]}, base_docs,
         "no OpenAPI document"),
        ("operation without a route", base_routes,
         with_(base_docs, "tenants-api", add=["POST /v1/tenants"]), "has no API Gateway route"),
        ("operation routed to the wrong function (another function's greedy route)",
         with_(base_routes, "files-api", add=["GET /v1/tenants/{tenant_id}/files/{file_id}"],
               remove=["GET /v1/tenants/{tenant_id}/files"]),
         with_(base_docs, "files-api", add=["GET /v1/tenants/{tenant_id}/files/{file_id}"]),
         "is routed by API Gateway to tenants-api"),
        ("non-health operation served by two functions", base_routes,
         with_(base_docs, "tenants-api", add=["GET /v1/me"]), "is routed by API Gateway to accounts-api"),
        ("dead route key", with_(base_routes, "accounts-api", add=["DELETE /v1/me"]), base_docs, "(dead route)"),
        ("route key shadowed by a more specific one", with_(base_routes, "accounts-api", add=["ANY /v1/me"]),
         base_docs, "(dead route)"),
        ("duplicate route key", with_(base_routes, "tenants-api", add=["GET /v1/me"]),
         with_(base_docs, "tenants-api", add=["GET /v1/me"]), "route key appears 2 times"),
        ("duplicate route key under other parameter names", with_(base_routes, "files-api", add=["GET /v1/tenants/{id}"]),
         with_(base_docs, "files-api", add=["GET /v1/tenants/{id}"]), "route key appears 2 times"),
        ("invalid route key", with_(base_routes, "accounts-api", add=["FETCH /v1/me"]), base_docs, "is not \"METHOD /path\""),
    ]
    failures = 0
    for label, routes, docs, expected in cases:
        write_catalog(catalog_dir, routes)
        write_docs(openapi_dir, docs)
        catalog = read_catalog(catalog_dir)
        loaded, problems = documents_from_dir(openapi_dir, catalog)
        problems += check_routes(catalog, loaded)
        ok = not problems if expected is None else len(problems) == 1 and expected in problems[0]
        failures += not ok
        print(f"  self-test {label}: {'ok' if ok else 'WRONG'} ({'; '.join(problems) or 'no problem'})")

    # The binaries: a missing one names the build command (a routeless one is not needed); one
    # that fails is reported; a working one's --openapi output is its document; a routeless one
    # (a plain Lambda runtime binary) is never run.
    write_catalog(catalog_dir, base_routes | {"jobs-worker": []})
    write_docs(openapi_dir, base_docs)
    catalog = read_catalog(catalog_dir)
    packages = {name: name for name in catalog}
    bin_cases = []
    _, problems = documents_from_bins(bin_dir, catalog, packages)
    bin_cases.append(("binaries missing (the routeless one not asked for)", problems,
                      "cargo build -p accounts-api -p files-api -p tenants-api`"))
    for name in catalog:
        exe = bin_dir / name
        exe.write_text(f'#!/bin/sh\n[ "$1" = --openapi ] && exec cat "{openapi_dir / name}.json"\nexit 2\n')
        exe.chmod(0o755)
    ran = tmp / "routeless-binary-ran"
    (bin_dir / "jobs-worker").write_text(f'#!/bin/sh\ntouch "{ran}"\necho "would wait on the Lambda runtime API" >&2\nexit 1\n')
    docs, problems = documents_from_bins(bin_dir, catalog, packages)
    problems += check_routes(catalog, docs)
    if ran.exists():
        problems.append("the routeless jobs-worker binary was run")
    bin_cases.append(("binaries print their documents, the routeless one is not run", problems, None))
    (bin_dir / "files-api").write_text("#!/bin/sh\necho 'no such flag' >&2\nexit 2\n")
    _, problems = documents_from_bins(bin_dir, catalog, packages)
    bin_cases.append(("binary without --openapi", problems, "--openapi exited 2: no such flag"))
    for label, problems, expected in bin_cases:
        ok = not problems if expected is None else len(problems) == 1 and expected in problems[0]
        failures += not ok
        print(f"  self-test {label}: {'ok' if ok else 'WRONG'} ({'; '.join(problems) or 'no problem'})")
    return failures


def self_test_binaries(tmp: Path) -> int:
    """Both directions must fail: an extra crate, and an extra Terraform function, with or
    without routes. Each case starts from the real catalog and one crate per entry."""
    failures = 0
    catalog_file = "functions.tf"

    def crate(funcs: Path, name: str) -> None:
        (funcs / name).mkdir()
        (funcs / name / "Cargo.toml").write_text(f'[package]\nname = "{name}"\n')

    def add_entry(catalog_dir: Path, entry: str) -> None:
        tf = catalog_dir / catalog_file
        tf.write_text(tf.read_text().replace("  functions = {\n", f"  functions = {{\n    {entry}\n", 1))

    cases = [  # label, mutation of (functions dir, catalog dir), expected problems
        ("matching", lambda funcs, cat: None, 0),
        ("crate without a function", lambda funcs, cat: crate(funcs, "extra-worker"), 1),
        ("function without a crate",
         lambda funcs, cat: add_entry(cat, '"ghost-api" = { routes = ["GET /v1/ghost"] }'), 1),
        ("routeless function (queue consumer) with its crate",
         lambda funcs, cat: add_entry(cat, '"ghost-worker" = { sqs_queue = "jobs" }') or crate(funcs, "ghost-worker"), 0),
        ("routeless function (queue consumer) without a crate",
         lambda funcs, cat: add_entry(cat, '"ghost-worker" = { sqs_queue = "jobs" }'), 1),
        ("routeless function (scheduled) without a crate",
         lambda funcs, cat: add_entry(cat, '"ghost-sweeper" = { schedule_expression = "rate(1 minute)" }'), 1),
    ]
    for n, (label, mutate, expected) in enumerate(cases):
        funcs, catalog_dir = tmp / f"functions-{n}", tmp / f"catalog-{n}"
        shutil.copytree(ROOT / "infra/modules/catalog", catalog_dir,
                        ignore=shutil.ignore_patterns(".terraform*"))
        funcs.mkdir()
        for name in read_catalog(catalog_dir):
            crate(funcs, name)
        mutate(funcs, catalog_dir)
        bins, problems = binaries(funcs)
        problems += check_binaries(set(bins), read_catalog(catalog_dir))
        ok = len(problems) == expected
        failures += not ok
        print(f"  self-test {label}: {'ok' if ok else 'WRONG'} ({problems[0] if problems else 'no problem'})")
    return failures


def self_test() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        return self_test_binaries(tmp) + self_test_matching() + self_test_routes(tmp)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--functions-dir", type=Path, default=ROOT / "functions")
    ap.add_argument("--catalog-dir", type=Path, default=ROOT / "infra/modules/catalog")
    source = ap.add_mutually_exclusive_group()
    source.add_argument("--bin-dir", type=Path, default=ROOT / "target/debug",
                        help="run <DIR>/<binary> --openapi for each function (default: target/debug)")
    source.add_argument("--openapi-dir", type=Path, help="read <DIR>/<function>.json instead of running binaries")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    if args.self_test:
        failed = self_test()
        print("parity self-test:", "FAIL" if failed else "PASS")
        return 1 if failed else 0

    catalog = read_catalog(args.catalog_dir)
    bins, problems = binaries(args.functions_dir)
    problems += check_binaries(set(bins), catalog)
    routeless = sorted(set(catalog) - set(routed(catalog)))
    print(f"  without routes (no OpenAPI document, not run): {', '.join(routeless) or '(none)'}")
    if args.openapi_dir:
        print(f"  OpenAPI documents: {args.openapi_dir}/<function>.json")
        docs, doc_problems = documents_from_dir(args.openapi_dir, catalog)
    else:
        print(f"  OpenAPI documents: {args.bin_dir}/<function> --openapi")
        docs, doc_problems = documents_from_bins(args.bin_dir, catalog, bins)
    problems += doc_problems
    problems += check_routes(catalog, docs, table=True)
    for p in problems:
        print(f"  FAIL: {p}")
    print("parity:", "FAIL" if problems else "PASS")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
