"""Shared by the jfts-serve tests: build an index of a corpus with jfts-index, start jfts-serve
on a free loopback port over it, fetch from it, and run jfts-query for the expected bytes."""
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

SKIP = 77  # ctest SKIP_RETURN_CODE


def env(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"{name} is not set (run through ctest)")
    return value


class Server:
    """jfts-serve over a fresh index of JFTS_CORPUS, in a temporary directory."""

    def __init__(self, *extra):
        self.tmp = tempfile.mkdtemp(prefix="jfts-serve-test.")
        self.db = os.path.join(self.tmp, "jfts.db")
        subprocess.run([env("JFTS_INDEX"), "--quiet", "--db", self.db, env("JFTS_CORPUS")], check=True)
        self.proc = subprocess.Popen([env("JFTS_SERVE"), "--db", self.db, "--listen", "127.0.0.1:0", *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if "http://" not in line:
            self.proc.kill()
            sys.exit("jfts-serve did not start: " + line + self.proc.stderr.read())
        self.url = line.strip().rsplit(" ", 1)[-1].rstrip("/")

    def get(self, path, headers=None):
        """(status, headers, body bytes) of GET path; never raises for an HTTP status."""
        req = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def query(self, *args):
        """stdout bytes of jfts-query over the same database."""
        return subprocess.run([env("JFTS_QUERY"), "--db", self.db, *args], check=True,
                              stdout=subprocess.PIPE).stdout

    def rss_kb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def sanitized(self):
        """True when the server runs under AddressSanitizer (its quarantine makes RSS grow)."""
        with open(f"/proc/{self.proc.pid}/maps") as f:
            return "libasan" in f.read()

    def close(self):
        """Stops the server with SIGTERM; returns True when it exited 0 without a sanitizer or
        other report on stderr beyond its stop message."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        err = self.proc.stderr.read()
        shutil.rmtree(self.tmp, ignore_errors=True)
        clean = self.proc.returncode == 0 and all(
            line.startswith("jfts-serve: stopping") for line in err.splitlines() if line)
        if not clean:
            print(f"jfts-serve exited {self.proc.returncode}:\n{err}", file=sys.stderr)
        return clean
