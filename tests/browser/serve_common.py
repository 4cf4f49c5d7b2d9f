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


def report_pdf(out_dir):
    """A ward's report of the bundled corpus set as a 3-page PDF (tests/data/pdf/make-fixtures.py
    --report, the README's example), written into out_dir; returns its path."""
    path = os.path.join(out_dir, "aoba.pdf")
    maker = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "pdf", "make-fixtures.py")
    subprocess.run([sys.executable, maker, "--report", "6", "178", path], check=True)
    return path


class Server:
    """jfts-serve over a fresh index of JFTS_CORPUS (or of corpus: "pdf" for report_pdf's
    PDF alone, or a function writing the documents into the directory it is given), in a
    temporary directory."""

    def __init__(self, *extra, corpus=None):
        self.tmp = tempfile.mkdtemp(prefix="jfts-serve-test.")
        self.db = os.path.join(self.tmp, "jfts.db")
        source = env("JFTS_CORPUS")
        if corpus == "pdf":
            source = os.path.join(self.tmp, "docs")
            os.makedirs(source)
            report_pdf(source)
        elif corpus:
            source = os.path.join(self.tmp, "docs")
            os.makedirs(source)
            corpus(source)
        subprocess.run([env("JFTS_INDEX"), "--quiet", "--db", self.db, source], check=True)
        self.proc = subprocess.Popen([env("JFTS_SERVE"), "--db", self.db, "--listen", "127.0.0.1:0", *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if "http://" not in line:
            self.proc.kill()
            sys.exit("jfts-serve did not start: " + line + self.proc.stderr.read())
        self.url = line.strip().rsplit(" ", 1)[-1].rstrip("/")

    def get(self, path, headers=None, timeout=30):
        """(status, headers, body bytes) of GET path; never raises for an HTTP status."""
        req = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def query(self, *args):
        """stdout bytes of jfts-query over the same database."""
        return subprocess.run([env("JFTS_QUERY"), "--db", self.db, *args], check=True,
                              stdout=subprocess.PIPE).stdout

    def rss_kb(self, field="VmRSS"):
        """The server's resident memory in KB now, or its peak so far with field="VmHWM"."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
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
