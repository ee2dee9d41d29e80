#!/usr/bin/env python3
"""Opens a built mdBook in headless Chromium and checks every page.

    python3 book/browser-check/check.py book/book [--search WORD ...]
    python3 book/browser-check/check.py --self-test

For every HTML page of the built book, in one browser and one tab:

- it loads with no JavaScript exception, no console error and no failed
  request (a missing stylesheet, script or image);
- every internal link resolves to a file of the book, and every `#anchor`
  to an element of the page it names;
- every code block went through highlight.js, in a language it knows, and a
  Rust or Python block came out with highlighted tokens;
- every image loads and decodes.

Then it types each `--search` word into the search box of the first page
and expects results whose links resolve too.

The book is served over HTTP on 127.0.0.1 (as `mdbook serve` or a web host
would serve it) and Chromium is driven through the DevTools protocol on a
pair of pipes (`--remote-debugging-pipe`), so nothing beyond Python's
standard library and Debian's `chromium` is needed. `--self-test` builds a
small book with a broken link, a missing anchor, a script error, a missing
image and an unknown code language, and checks that each is reported.
"""

import argparse
import fcntl
import functools
import http.server
import json
import os
import posixpath
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))

# The flags CI needs: no sandbox (CI runs as root), nothing that reaches the
# network, a fresh profile, a desktop-sized window so the sidebar shows.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
    "--hide-scrollbars",
    "--window-size=1280,900",
    "--remote-debugging-pipe",
]

# Languages that highlight.js leaves as plain text on purpose.
PLAIN = {"text", "plaintext", "txt", "console", "output"}
# Blocks in these languages must come out with at least one token.
TOKENIZED = {"rust", "python", "toml", "json"}

# What the page reports once it has loaded: its ids, links, code blocks and
# images. Images are awaited with decode(), which fails for a missing or
# undecodable file.
PROBE = r"""
(async () => {
  const out = {title: document.title, ids: [], links: [], code: [], images: []};
  for (const el of document.querySelectorAll('[id]')) out.ids.push(el.id);
  for (const el of document.querySelectorAll('a[name]')) out.ids.push(el.getAttribute('name'));
  for (const a of document.querySelectorAll('a[href]')) out.links.push([a.getAttribute('href'), a.href]);
  const known = (lang) => typeof hljs !== 'undefined' && !!hljs.getLanguage(lang);
  for (const code of document.querySelectorAll('pre > code')) {
    const cls = [...code.classList].find(c => c.startsWith('language-'));
    const lang = cls ? cls.slice('language-'.length) : null;
    out.code.push({
      lang,
      known: lang ? known(lang) : null,
      hljs: code.classList.contains('hljs'),
      tokens: code.querySelectorAll('[class^="hljs-"], [class*=" hljs-"]').length,
      text: code.textContent.trim().slice(0, 60),
      chars: code.textContent.replace(/\s/g, '').length,
    });
  }
  for (const img of document.images) {
    let ok = true;
    try { await img.decode(); } catch (e) { ok = false; }
    ok = ok && img.naturalWidth > 0;
    out.images.push({src: img.getAttribute('src'), ok});
  }
  return JSON.stringify(out);
})()
"""

SEARCH_RESULTS = r"""
JSON.stringify([...document.querySelectorAll('#mdbook-searchresults li a')]
  .map(a => [a.getAttribute('href'), a.href]))
"""


class CheckError(Exception):
    """The check could not run (no browser, the browser died, a timeout)."""


def high_copy(fd):
    """A copy of `fd` numbered 10 or more (closed on exec: the child gets
    its own copies through dup2); closes `fd`."""
    copy = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return copy


class Browser:
    """Chromium on the DevTools protocol over fds 3 (to it) and 4 (from it):
    JSON messages, each ended by a NUL byte."""

    def __init__(self, chromium, profile, log):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        # The child's fds 1 to 4 are set by dup2 in order: copies of the
        # sources above 4 keep one dup2 from clobbering the next one's source.
        to_child_r, from_child_w, log_fd = (
            high_copy(to_child_r), high_copy(from_child_w), fcntl.fcntl(log.fileno(), fcntl.F_DUPFD_CLOEXEC, 10)
        )
        argv = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"]
        try:
            self.pid = os.posix_spawn(
                chromium,
                argv,
                os.environ,
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, to_child_r, 3),
                    (os.POSIX_SPAWN_DUP2, from_child_w, 4),
                    (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                    (os.POSIX_SPAWN_DUP2, log_fd, 1),
                    (os.POSIX_SPAWN_DUP2, log_fd, 2),
                ],
                # Its own process group, so that every process it starts
                # (renderers, the GPU and zygote helpers) ends with it.
                setpgroup=0,
            )
        finally:
            for fd in (to_child_r, from_child_w, log_fd):
                os.close(fd)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except CheckError:
            pass
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        os.close(self.to_child)
        os.close(self.from_child)

    def _read_message(self, deadline):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.from_child], [], [], left)
            if not ready:
                return None
            chunk = os.read(self.from_child, 1 << 16)
            if not chunk:
                raise CheckError("Chromium closed its DevTools pipe (it crashed or quit)")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self.to_child, data):]
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply is None:
                raise CheckError(f"no answer to {method} within {timeout} s")
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise CheckError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method, session, timeout):
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.events):
                if event["method"] == method and event.get("sessionId") == session:
                    return self.events.pop(i)
            message = self._read_message(deadline)
            if message is None:
                raise CheckError(f"no {method} within {timeout} s")
            if "method" in message:
                self.events.append(message)

    def drain(self, seconds=0.0):
        """Collects the events that arrive within `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            message = self._read_message(deadline)
            if message is None:
                return
            if "method" in message:
                self.events.append(message)


class Tab:
    def __init__(self, browser):
        self.browser = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})
        attached = browser.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )
        self.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        # print.html prints itself on load; a headless browser has no printer.
        self.send(
            "Page.addScriptToEvaluateOnNewDocument",
            {"source": "window.print = () => {};"},
        )

    def send(self, method, params=None, timeout=30):
        return self.browser.send(method, params, self.session, timeout)

    def evaluate(self, expression, timeout=30):
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            timeout,
        )
        if "exceptionDetails" in result:
            raise CheckError(f"probe failed: {describe_exception(result['exceptionDetails'])}")
        return result["result"].get("value")

    def open(self, url, timeout=30):
        """Loads `url`; returns the problems its events show."""
        self.browser.events.clear()
        navigated = self.send("Page.navigate", {"url": url}, timeout)
        if navigated.get("errorText"):
            return [f"does not load: {navigated['errorText']}"]
        self.browser.wait_event("Page.loadEventFired", self.session, timeout)
        return []

    def problems(self, origin):
        """Errors among the events so far: exceptions, console errors and
        failed requests."""
        found = []
        requests = {}
        for event in self.browser.events:
            if event.get("sessionId") != self.session:
                continue
            method, params = event["method"], event["params"]
            if method == "Runtime.exceptionThrown":
                found.append(f"script error: {describe_exception(params['exceptionDetails'])}")
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
                found.append(f"console.{params['type']}: {text}")
            elif (
                method == "Log.entryAdded"
                and params["entry"]["level"] == "error"
                # A failed request is reported below, with its URL.
                and params["entry"].get("source") != "network"
            ):
                entry = params["entry"]
                where = f" ({short(entry['url'], origin)})" if entry.get("url") else ""
                found.append(f"console error: {entry['text']}{where}")
            elif method == "Network.requestWillBeSent":
                requests[params["requestId"]] = params["request"]["url"]
            elif method == "Network.responseReceived":
                status = params["response"]["status"]
                if status >= 400 and not browsers_own(params["response"]["url"]):
                    found.append(f"HTTP {status} for {short(params['response']['url'], origin)}")
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                url = requests.get(params["requestId"], "?")
                if not browsers_own(url):
                    found.append(f"request failed: {short(url, origin)}: {params['errorText']}")
        self.browser.events.clear()
        # The console and the network may both report one missing file.
        return list(dict.fromkeys(found))


def browsers_own(url):
    """A request the browser makes by itself, not one the page asks for: a
    page without a favicon link (toc.html, opened on its own) gets
    /favicon.ico asked for anyway."""
    return urllib.parse.urlsplit(url).path == "/favicon.ico"


def describe_exception(details):
    exception = details.get("exception") or {}
    text = exception.get("description") or details.get("text", "exception")
    return text.splitlines()[0]


def short(url, origin):
    return url[len(origin):] if url.startswith(origin) else url


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    # Keep-alive, and the theme's scripts, styles and fonts cached after the
    # first page: each page then costs one request or two.
    protocol_version = "HTTP/1.1"

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # The browser drops a connection when it moves to the next page
        # mid-transfer; anything else is the check's own bug and shows.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def serve(root):
    handler = functools.partial(QuietHandler, directory=root)
    server = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def html_pages(root):
    pages = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(".html"):
                pages.append(os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/"))
    return pages


def link_target(root, absolute, origin):
    """The book file and the fragment an internal link points to, or None
    for a link that leaves the book's site."""
    parsed = urllib.parse.urlsplit(absolute)
    if parsed.scheme not in ("http", "https") or f"{parsed.scheme}://{parsed.netloc}" != origin:
        return None
    path = urllib.parse.unquote(parsed.path).lstrip("/")
    path = posixpath.normpath(path) if path else ""
    if path in ("", ".") or absolute.split("#")[0].split("?")[0].endswith("/"):
        path = posixpath.join(path if path != "." else "", "index.html").lstrip("/")
    return path, urllib.parse.unquote(parsed.fragment)


def check_book(root, chromium, searches, page_timeout=30):
    root = os.path.abspath(root)
    if not os.path.isfile(os.path.join(root, "index.html")):
        raise CheckError(f"{root} has no index.html: build the book first (mdbook build book)")
    pages = html_pages(root)
    server = serve(root)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    problems = []  # (page, text)
    ids = {}
    links = []  # (page, raw href, absolute url)
    counts = {"links": 0, "code": 0, "images": 0, "external": 0}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="book-check-") as profile, open(
        os.path.join(profile, "chromium.log"), "w+"
    ) as log:
        browser = Browser(chromium, os.path.join(profile, "profile"), log)
        try:
            tab = Tab(browser)
            for page in pages:
                found = tab.open(f"{origin}/{page}", page_timeout)
                if found:
                    problems += [(page, p) for p in found]
                    continue
                report = json.loads(tab.evaluate(PROBE, page_timeout))
                browser.drain(0.02)
                problems += [(page, p) for p in tab.problems(origin)]
                ids[page] = set(report["ids"])
                links += [(page, raw, absolute) for raw, absolute in report["links"]]
                counts["code"] += len(report["code"])
                counts["images"] += len({img["src"] for img in report["images"]})
                problems += [(page, p) for p in code_problems(report["code"])]
                # mdBook shows each picture twice (in the page, and zoomed).
                problems += [
                    (page, f"image does not load: {src}")
                    for src in dict.fromkeys(img["src"] for img in report["images"] if not img["ok"])
                ]
            search_counts = {}
            for word in searches:
                start = "index.html" if "index.html" in pages else pages[0]
                found, results = search(tab, browser, origin, start, word, page_timeout)
                problems += [("search", p) for p in found]
                search_counts[word] = len(results)
                if not results:
                    problems.append(("search", f"searching for {word!r} gives no result"))
                links += [(f"search for {word!r}", raw, absolute) for raw, absolute in results]
        except CheckError as e:
            log.seek(0)
            tail = log.read()[-2000:]
            raise CheckError(f"{e}\n--- chromium's log, last lines ---\n{tail}") from None
        finally:
            browser.close()
            server.shutdown()
            server.server_close()

    broken = {}  # (target, why) -> pages that link there
    for page, raw, absolute in links:
        if raw.startswith("#") and page in ids:
            # A link within the page. Checked against the page itself even
            # where a <base> (404.html's) sends it elsewhere: that is
            # mdBook's doing, and no page of the book can change it.
            absolute = f"{origin}/{page}{raw}"
        target = link_target(root, absolute, origin)
        if target is None:
            if not raw.startswith(("#", "javascript:")):
                counts["external"] += 1
            continue
        counts["links"] += 1
        path, fragment = target
        why = None
        if not os.path.isfile(os.path.join(root, path)):
            why = "no such file in the book"
        elif fragment and path.endswith(".html") and fragment not in ids.get(path, set()):
            why = f"{path} has no anchor #{fragment}"
        if why:
            broken.setdefault((raw, why), []).append(page)
    for (raw, why), sources in sorted(broken.items()):
        sources = list(dict.fromkeys(sources))
        more = f" and {len(sources) - 3} more" if len(sources) > 3 else ""
        problems.append((", ".join(sources[:3]) + more, f"broken link {raw}: {why}"))

    return {
        "pages": len(pages),
        "seconds": time.monotonic() - started,
        "counts": counts,
        "searches": search_counts,
        "problems": problems,
    }


def code_problems(blocks):
    found = []
    for block in blocks:
        lang, head = block["lang"], block["text"].split("\n")[0][:50]
        if not block["hljs"]:
            found.append(f"code block not highlighted (highlight.js did not run): {head!r}")
        elif lang and lang not in PLAIN and not block["known"]:
            found.append(f"code block in a language highlight.js does not know, {lang!r}: {head!r}")
        elif lang in TOKENIZED and block["chars"] >= 20 and block["tokens"] == 0:
            found.append(f"{lang} code block came out with no highlighted token: {head!r}")
    return found


def search(tab, browser, origin, page, word, timeout):
    """Types `word` into the search box as a reader would and returns the
    result links once they show."""
    found = tab.open(f"{origin}/{page}", timeout)
    if found:
        return found, []
    # `s` opens the search bar (mdBook's shortcut) and focuses it; the
    # search runs on each key released in it.
    key_s = {"key": "s", "code": "KeyS", "windowsVirtualKeyCode": 83}
    tab.send("Input.dispatchKeyEvent", {"type": "keyDown", "text": "s", **key_s})
    tab.send("Input.dispatchKeyEvent", {"type": "keyUp", **key_s})
    tab.send("Input.insertText", {"text": word})
    key_end = {"key": "End", "code": "End", "windowsVirtualKeyCode": 35}
    tab.send("Input.dispatchKeyEvent", {"type": "keyDown", **key_end})
    tab.send("Input.dispatchKeyEvent", {"type": "keyUp", **key_end})
    # The index loads only when the search opens: give a busy machine time.
    deadline = time.monotonic() + timeout
    results = []
    while time.monotonic() < deadline:
        results = json.loads(tab.evaluate(SEARCH_RESULTS))
        if results:
            break
        time.sleep(0.05)
    browser.drain(0.02)
    return tab.problems(origin), results


def find_chromium(given):
    for candidate in [given, os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"]:
        if candidate:
            path = shutil.which(candidate)
            if path:
                return path
    raise CheckError("no Chromium found: apt-get install -y chromium (or --chromium PATH)")


def print_report(result):
    counts = result["counts"]
    searches = ", ".join(f"{w!r}: {n} results" for w, n in result["searches"].items()) or "not tried"
    print(
        f"browser check: {result['pages']} pages, {counts['links']} internal links, "
        f"{counts['code']} code blocks, {counts['images']} images, "
        f"{counts['external']} external links (not followed); search {searches}; "
        f"{result['seconds']:.1f} s"
    )
    for where, text in result["problems"]:
        print(f"  {where}: {text}")
    if result["problems"]:
        print(f"browser check: {len(result['problems'])} problems")
    else:
        print("browser check: every page is fine")


# What the self-test's fixture book must be caught on: (page, words in the
# message). The fixture's clean page must be reported for nothing.
EXPECTED = [
    ("broken.html", "broken link missing.html: no such file"),
    ("broken.html", "broken link clean.html#no-such-heading: clean.html has no anchor #no-such-heading"),
    ("broken.html", "broken link ../outside.html: no such file"),
    ("broken.html", "script error: Error: thrown on purpose"),
    ("broken.html", "console.error: reported on purpose"),
    ("broken.html", "image does not load: missing.svg"),
    ("broken.html", "HTTP 404 for /missing.svg"),
    ("print.html", "script error: Error: thrown on purpose"),
    ("broken.html", "language highlight.js does not know, 'cobol'"),
]


def self_test(chromium, mdbook):
    fixture = os.path.join(HERE, "fixture")
    with tempfile.TemporaryDirectory(prefix="book-check-fixture-") as out:
        subprocess.run([mdbook, "build", fixture, "-d", out], check=True, capture_output=True)
        result = check_book(out, chromium, ["fixture"])
    if os.environ.get("BOOK_CHECK_VERBOSE"):
        print_report(result)
    messages = [f"{where}: {text}" for where, text in result["problems"]]
    missed = [
        f"{page}: {words}"
        for page, words in EXPECTED
        if not any(m.startswith(page) and words in m for m in messages)
    ]
    unexpected = [m for m in messages if "clean.html:" in m.split(" broken link")[0]]
    if result["searches"].get("fixture", 0) == 0:
        missed.append("search: 'fixture' gives results")
    for m in missed:
        print(f"self-test: NOT CAUGHT: {m}")
    for m in unexpected:
        print(f"self-test: the clean page was blamed: {m}")
    if missed or unexpected:
        print_report(result)
        return 1
    print(
        f"self-test: on its fixture book the check caught all {len(EXPECTED)} planted problems "
        f"and blamed no clean page ({result['seconds']:.1f} s; BOOK_CHECK_VERBOSE=1 shows them)"
    )
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("book", nargs="?", help="the built book (mdbook build's output, e.g. book/book)")
    parser.add_argument("--search", action="append", default=[], help="a word the search must find (repeat)")
    parser.add_argument("--chromium", help="the browser (default: chromium on PATH, or $CHROMIUM)")
    parser.add_argument("--self-test", action="store_true", help="check the checker on its fixture book")
    parser.add_argument("--mdbook", default="mdbook", help="mdbook, for --self-test")
    args = parser.parse_args()
    try:
        chromium = find_chromium(args.chromium)
        if args.self_test:
            return self_test(chromium, args.mdbook)
        if not args.book:
            parser.error("the built book's directory is needed (or --self-test)")
        result = check_book(args.book, chromium, args.search)
    except CheckError as e:
        print(f"browser check: {e}", file=sys.stderr)
        return 2
    print_report(result)
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
