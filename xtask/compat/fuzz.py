"""A property-based pass over the emulator: schemathesis against the metadata-derived OpenAPI.

Run by `cargo xtask compat` in the throwaway virtual environment holding the pinned
schemathesis of fuzz-requirements.txt, with the variables of a `graph-sync-emulator` it started
(GRAPH_SYNC_GRAPH_URL: the Graph root ending in /v1.0; GRAPH_SYNC_TOKEN: its bearer token;
FUZZ_SPEC: the OpenAPI description; FUZZ_WORK: a scratch folder).

1. Sets the scene through the API itself: instantiates the non-gallery application (a service
   principal with the SCIM template), creates a job from that template and reads the id of the
   schema's first directory, so the path parameters name things that exist.
2. Writes the description with the relaxations of `relax` (the one place where the
   metadata-derived description is made less strict than Graph) to FUZZ_WORK.
3. Runs schemathesis twice with a fixed seed, a fixed number of examples and one worker, so a run
   is repeatable: every operation but DELETE, then the DELETEs (a deleted job would turn every
   later job operation into a 404). Checks: `not_a_server_error` (no 5xx, on documented
   operations or anywhere) and `negative_data_rejection` (a request outside the schema is never
   answered 2xx).
4. Prints the figures (requests generated, operations covered, findings) and exits 1 if
   schemathesis found anything.
"""

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

import yaml

NON_GALLERY_TEMPLATE = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"
SEED = 20261129
MAX_EXAMPLES = 15
CHECKS = "not_a_server_error,negative_data_rejection"


def env(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"fuzz: {name} is not set (run through `cargo xtask compat`)")
    return value


def call(method, url, token, body=None):
    """One JSON request; the decoded answer, or exit naming what failed."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        sys.exit(f"fuzz: setting the scene, {method} {url} answered {error.code}: {error.read()[:300]!r}")
    except OSError as error:
        sys.exit(f"fuzz: setting the scene, {method} {url} failed: {error}")


def scene(root, token):
    """The ids the path parameters take: a service principal, its template, a job, a directory."""
    created = call(
        "POST",
        f"{root}/applicationTemplates/{NON_GALLERY_TEMPLATE}/instantiate",
        token,
        {"displayName": "schemathesis"},
    )
    sp = created["servicePrincipal"]["id"]
    sync = f"{root}/servicePrincipals/{sp}/synchronization"
    template = call("GET", f"{sync}/templates", token)["value"][0]["id"]
    job = call("POST", f"{sync}/jobs", token, {"templateId": template})["id"]
    directories = call("GET", f"{sync}/jobs/{job}/schema", token)["directories"]
    return {
        "servicePrincipal-id": sp,
        "synchronizationTemplate-id": template,
        "synchronizationJob-id": job,
        "directoryDefinition-id": directories[0]["id"],
    }


def relax(spec):
    """Makes the metadata-derived description as lenient as Graph itself, and no more.

    Each relaxation is one rule below, with why Graph is more lenient than the description.
    """
    flags_enums = 0
    odata_required = 0

    def walk(node):
        nonlocal flags_enums, odata_required
        if isinstance(node, dict):
            # 1. `@odata.type` is listed as required on every entity (the converter derives it from
            #    the abstract base type `entity`), but Graph reads a body without it as the
            #    property's declared type: clients, the Graph SDKs included, leave it out.
            required = node.get("required")
            if isinstance(required, list) and "@odata.type" in required:
                required.remove("@odata.type")
                odata_required += 1
                if not required:
                    del node["required"]
            # 2. A flags enum (`x-ms-enum-flags: isFlags`) is written by Graph as one member or
            #    several joined by commas ("AttributeNames, AttributeDataTypes"), which the
            #    description's `enum` does not list. The enum becomes the pattern Graph's enum
            #    parser accepts: members separated by commas, blanks around them allowed.
            if node.get("x-ms-enum-flags", {}).get("isFlags") and "enum" in node:
                member = "(" + "|".join(re.escape(m) for m in node.pop("enum")) + ")"
                node["pattern"] = rf"^\s*{member}\s*(,\s*{member}\s*)*$"
                flags_enums += 1
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    # 3. The converter marks every action's body required. restart's one parameter, `criteria`,
    #    is optional (nullable) in the metadata, and a restart without a body restarts with
    #    the portal's scope (Watermark, Escrows, QuarantineState), as the emulator does.
    restart = "/servicePrincipals/{servicePrincipal-id}/synchronization/jobs/{synchronizationJob-id}/restart"
    spec["paths"][restart]["post"]["requestBody"]["required"] = False
    print(
        f"fuzz: relaxed the description: @odata.type not required in {odata_required} schemas; "
        f"{flags_enums} flags enums accept member lists; restart's body optional"
    )
    return spec


def schemathesis(spec_path, config_path, root, token, methods, label, work):
    """One schemathesis run; its JSON report."""
    report = os.path.join(work, f"report-{label}.ndjson")
    command = [
        os.path.join(os.path.dirname(sys.executable), "schemathesis"),
        "--config-file",
        config_path,
        "run",
        spec_path,
        "--url",
        root,
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--seed",
        str(SEED),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "1",
        "--phases",
        "examples,coverage,fuzzing",
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        report,
        "--continue-on-failure",
    ]
    command += methods
    print(f"$ schemathesis run ... {' '.join(methods)}", flush=True)
    # In the scratch folder: schemathesis and hypothesis keep caches in the working directory.
    status = subprocess.run(command, check=False, cwd=work).returncode
    return status, report


def figures(reports):
    """Requests sent, operations covered and failed checks, per status class, from the reports."""
    requests = 0
    classes = {}
    operations = {}
    failed = 0
    for report in reports:
        with open(report, encoding="utf-8") as file:
            for line in file:
                event = json.loads(line).get("ScenarioFinished")
                if not event:
                    continue
                recorder = event.get("recorder", {})
                label = recorder.get("label")
                for interaction in recorder.get("interactions", {}).values():
                    response = interaction.get("response") or {}
                    status = response.get("status_code")
                    requests += 1
                    kind = f"{status // 100}xx" if isinstance(status, int) else "no answer"
                    classes[kind] = classes.get(kind, 0) + 1
                    operations.setdefault(label, set()).add(kind)
                for checks in recorder.get("checks", {}).values():
                    failed += sum(1 for check in checks if check.get("status") == "failure")
    print(f"fuzz: {requests} requests over {len(operations)} operations; answers: "
          + ", ".join(f"{count} {kind}" for kind, count in sorted(classes.items())))
    succeeded = sorted(label for label, kinds in operations.items() if "2xx" in kinds)
    print(f"fuzz: {len(succeeded)} operations answered 2xx at least once (the emulated ones):")
    for label in succeeded:
        print(f"  {label}")
    print(f"fuzz: {failed} failed checks")
    return failed


def main():
    root = env("GRAPH_SYNC_GRAPH_URL").rstrip("/")
    token = env("GRAPH_SYNC_TOKEN")
    work = env("FUZZ_WORK")
    with open(env("FUZZ_SPEC"), encoding="utf-8") as file:
        spec = yaml.safe_load(file)
    ids = scene(root, token)
    print(f"fuzz: scene {json.dumps(ids)}")
    spec_path = os.path.join(work, "openapi-relaxed.json")
    with open(spec_path, "w", encoding="utf-8") as file:
        json.dump(relax(spec), file, indent=1)
    config_path = os.path.join(work, "schemathesis.toml")
    with open(config_path, "w", encoding="utf-8") as file:
        file.write("[parameters]\n")
        for name, value in ids.items():
            file.write(f'"path.{name}" = {json.dumps(value)}\n')
    statuses = []
    reports = []
    for methods, label in (
        (["--exclude-method", "DELETE"], "other"),
        (["--include-method", "DELETE"], "delete"),
    ):
        status, report = schemathesis(spec_path, config_path, root, token, methods, label, work)
        statuses.append(status)
        reports.append(report)
    failed = figures(reports)
    if any(statuses) or failed:
        sys.exit("fuzz: schemathesis found problems (above)")
    print("fuzz: no findings")


if __name__ == "__main__":
    main()
