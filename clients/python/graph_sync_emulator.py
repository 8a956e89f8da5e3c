"""Drive the graph-sync emulator's control API from Python (standard library only).

The emulator (``graph-sync emulator`` or ``graph-sync-emulator``) prints a banner with its
Graph root, a Graph bearer token, the control API's address and its admin token. Give those
to :class:`Emulator` (or let :func:`start` run the emulator and read the banner for you), then
arrange throttling, faults and scripted answers, run the code under test against the Graph
root, and assert what it sent from the request log::

    from graph_sync_emulator import start

    with start(["graph-sync-emulator"]) as emu:
        emu.script("PUT", "*/synchronization/secrets",
                   [{"status": 429, "headers": {"Retry-After": "0"}}] * 3)
        my_provisioning_code(graph_root=emu.graph_root, token=emu.token, sp=emu.sp_ids[0])
        puts = [r for r in emu.log() if r["method"] == "PUT"]
        assert [r["status"] for r in puts] == [429, 429, 429, 204]

Every method maps to one documented route (docs/emulator.md, "Control API"); an error answer
raises :class:`ControlError` with the emulator's message. Nothing here sleeps.
"""

import json
import subprocess
import urllib.error
import urllib.request

__all__ = ["ControlError", "Emulator", "parse_banner", "start"]


class ControlError(Exception):
    """A control API call was refused: ``status`` and the emulator's ``code`` and message."""

    def __init__(self, status, code, message):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code


def parse_banner(lines):
    """The fields of an emulator banner: graph_root, token, control, admin, sp_ids."""
    fields = {"sp_ids": []}
    names = {
        "Graph root:": "graph_root",
        "Bearer token:": "token",
        "Control API:": "control",
        "Admin token:": "admin",
    }
    for line in lines:
        for prefix, name in names.items():
            if line.startswith(prefix):
                fields[name] = line[len(prefix):].strip()
        for word in line.split():
            if word.startswith("id="):
                fields["sp_ids"].append(word[3:])
    missing = [name for name in names.values() if name not in fields]
    if missing:
        raise ValueError(f"not an emulator banner (missing {', '.join(missing)})")
    return fields


class Emulator:
    """A running emulator: its Graph root and token, and its control API."""

    def __init__(self, control, admin, graph_root=None, token=None, sp_ids=(), timeout=30):
        self.control = control.rstrip("/") + "/"
        self.admin = admin
        self.graph_root = graph_root
        self.token = token
        self.sp_ids = list(sp_ids)
        self.timeout = timeout
        self._process = None

    # -- plumbing -------------------------------------------------------------------------

    def call(self, method, route, body=None):
        """One control API call; the decoded JSON answer, or None for 204."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.control + route.lstrip("/"), data=data, method=method
        )
        request.add_header("Authorization", f"Bearer {self.admin}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                text = response.read()
        except urllib.error.HTTPError as error:
            try:
                detail = json.loads(error.read())["error"]
                raise ControlError(error.code, detail["code"], detail["message"]) from None
            except (ValueError, KeyError, TypeError):
                raise ControlError(error.code, "Unknown", error.reason) from None
        return json.loads(text) if text else None

    # -- settings -------------------------------------------------------------------------

    def settings(self):
        """The throttle, faults, latency and selection in force."""
        return self.call("GET", "settings")

    def change(self, **fields):
        """PATCH the settings: a field given replaces, None turns it off."""
        return self.call("PATCH", "settings", fields)

    def throttle(self, rate, burst=None):
        """Throttle each client to ``rate`` requests per second (bursts of ``burst``)."""
        throttle = {"rate": rate}
        if burst is not None:
            throttle["burst"] = burst
        return self.change(throttle=throttle)

    def faults(self, rate, kinds=None, seed=None):
        """Random faults into a ``rate`` share of requests (kinds: "503", "504", "reset", ...)."""
        faults = {"rate": rate}
        if kinds is not None:
            faults["kinds"] = list(kinds)
        if seed is not None:
            faults["seed"] = seed
        return self.change(faults=faults)

    def quiet(self):
        """Throttle, faults and latency off."""
        return self.call("DELETE", "settings")

    # -- script, clock, reset -------------------------------------------------------------

    def script(self, method, path, answers, times=1):
        """Queue answers for the next requests to METHOD PATH (a pattern like */secrets).

        An answer is {"status": 429, "headers": {...}, "body": {...}} or {"fault": "reset"}.
        """
        body = {"answers": list(answers), "times": times}
        if method:
            body["method"] = method
        if path:
            body["path"] = path
        return self.call("POST", "script", body)

    def clear_script(self):
        return self.call("DELETE", "script")

    def advance_clock(self, seconds):
        """Move the emulator's clock forward (token expiry, rate windows)."""
        return self.call("POST", "clock", {"advance_seconds": seconds})

    def reset(self):
        """Settings back to the start; script, log and clock cleared."""
        return self.call("POST", "reset")

    # -- what happened --------------------------------------------------------------------

    def log(self, since=0):
        """The request log entries from ``since`` on (each a dict; secrets redacted)."""
        entries = []
        while True:
            page = self.call("GET", f"log?since={since}")
            entries.extend(page["requests"])
            if not page["requests"] or page["next"] >= page["total"]:
                return entries
            since = page["next"]

    def counters(self):
        """Requests, 429s, faults by kind."""
        return self.call("GET", "counters")

    # -- lifetime -------------------------------------------------------------------------

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        """Stop the emulator if :func:`start` started it."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None


def start(command, max_lines=200):
    """Run an emulator command (e.g. ["graph-sync", "emulator", "--throttle", "20/5"]) and
    read its banner. Use as a context manager so the process is stopped."""
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True
    )
    lines = []
    for _ in range(max_lines):
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if "Press Ctrl-C" in line:
            break
    try:
        fields = parse_banner(lines)
    except ValueError:
        process.kill()
        process.wait()
        raise
    emulator = Emulator(
        fields["control"],
        fields["admin"],
        graph_root=fields["graph_root"],
        token=fields["token"],
        sp_ids=fields["sp_ids"],
    )
    emulator._process = process
    return emulator
