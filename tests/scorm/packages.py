"""SCORM packages for the tests.

``build_package`` makes a real package with simple-scorm-packager (npm, another team's packager:
the manifest, schema files and layout an authoring tool writes), around a content page that calls
the runtime the way authoring tools' output does: it looks for ``API`` / ``API_1484_11`` in its
window, then its parents, then its opener; Initialize; GetValue of the entry, location and suspend
data to resume; SetValue and Commit at each page; the score, status and Terminate at the end.

``zip_with_manifest`` makes a handmade zip (hostile manifests).
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

NODE_MODULES = Path(__file__).resolve().parents[1] / "node" / "node_modules"
PACKAGER = NODE_MODULES / "simple-scorm-packager"

CONTENT = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Water at home</title>
<style>body { font-family: sans-serif; margin: 1rem; } button { padding: .6rem 1rem; }</style>
</head>
<body>
<h1>Water at home</h1>
<p id="page">Page <span id="number">?</span> of 3</p>
<p id="entry"></p>
<p id="notes"></p>
<button id="next" type="button">Next page</button>
<button id="finish" type="button">Finish with 85</button>
<script>
var VERSION = "__VERSION__";
function findAPI(win) {
  var name = VERSION === "1.2" ? "API" : "API_1484_11";
  var tries = 0;
  while (win && tries < 10) {
    try { if (win[name]) { return win[name]; } } catch (e) { /* another origin */ }
    if (win === win.parent) { break; }
    win = win.parent; tries++;
  }
  try { if (window.opener && window.opener[name]) { return window.opener[name]; } } catch (e) {}
  return null;
}
var api = findAPI(window);
var is12 = VERSION === "1.2";
function get(k12, k04) { return api[is12 ? "LMSGetValue" : "GetValue"](is12 ? k12 : k04); }
function set(k12, k04, v) { return api[is12 ? "LMSSetValue" : "SetValue"](is12 ? k12 : k04, v); }
function commit() { return api[is12 ? "LMSCommit" : "Commit"](""); }
var started = api[is12 ? "LMSInitialize" : "Initialize"]("");
var page = parseInt(get("cmi.core.lesson_location", "cmi.location"), 10) || 1;
var notes = get("cmi.suspend_data", "cmi.suspend_data");
document.getElementById("entry").textContent = "entry:" + get("cmi.core.entry", "cmi.entry") +
  " learner:" + get("cmi.core.student_name", "cmi.learner_name") + " init:" + started;
document.getElementById("notes").textContent = notes ? "notes:" + notes : "notes:none";
function show() { document.getElementById("number").textContent = String(page); }
show();
if (is12) { set("cmi.core.lesson_status", null, "incomplete"); }
else { set(null, "cmi.completion_status", "incomplete"); }
commit();
document.getElementById("next").addEventListener("click", function () {
  page += 1; show();
  set("cmi.core.lesson_location", "cmi.location", String(page));
  set("cmi.suspend_data", "cmi.suspend_data", "seen-" + page);
  set("cmi.core.exit", "cmi.exit", "suspend");
  set("cmi.core.session_time", "cmi.session_time", is12 ? "0000:01:05" : "PT1M5S");
  commit();
});
document.getElementById("finish").addEventListener("click", function () {
  if (is12) {
    set("cmi.core.score.raw", null, "85"); set("cmi.core.score.min", null, "0");
    set("cmi.core.score.max", null, "100"); set("cmi.core.lesson_status", null, "passed");
  } else {
    set(null, "cmi.score.raw", "85"); set(null, "cmi.score.min", "0"); set(null, "cmi.score.max", "100");
    set(null, "cmi.score.scaled", "0.85"); set(null, "cmi.completion_status", "completed");
    set(null, "cmi.success_status", "passed");
  }
  set("cmi.core.exit", "cmi.exit", "");
  commit();
  api[is12 ? "LMSFinish" : "Terminate"]("");
  document.getElementById("page").textContent = "Finished";
});
</script>
</body>
</html>
"""

PACKAGER_SCRIPT = """
const packager = require(process.argv[1]);
const options = JSON.parse(process.argv[2]);
packager(options, () => {});
"""

VERSIONS = {"1.2": "1.2", "2004.3": "2004 3rd Edition", "2004.4": "2004 4th Edition"}


def node_available() -> bool:
    return shutil.which("node") is not None and PACKAGER.is_dir()


def build_package(version: str, folder: Path, title: str = "Water at home") -> Path:
    """A SCORM package (.zip) made by simple-scorm-packager; ``version``: 1.2, 2004.3, 2004.4."""
    source = folder / f"source-{version}"
    output = folder / f"out-{version}"
    source.mkdir(parents=True)
    runtime = "1.2" if version == "1.2" else "2004"
    (source / "index.html").write_text(CONTENT.replace("__VERSION__", runtime), encoding="utf-8")
    options = {
        "version": VERSIONS[version],
        "organization": "Test Team",
        "title": title,
        "language": "en",
        "masteryScore": 80,
        "startingPage": "index.html",
        "source": str(source),
        "package": {"zip": True, "outputFolder": str(output), "version": "1.0.0", "author": "QA"},
    }
    subprocess.run(
        ["node", "-e", PACKAGER_SCRIPT, str(PACKAGER), json.dumps(options)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    (package,) = output.glob("*.zip")
    return package


MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="handmade" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>Handmade</title>
      <item identifier="item1" identifierref="res1"><title>One</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res1" type="webcontent" adlcp:scormtype="sco" href="__HREF__">
      <file href="index.html"/>
    </resource>
  </resources>
</manifest>
"""


def zip_with_manifest(manifest: str | bytes, files: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", manifest)
        for name, text in (files if files is not None else {"index.html": "<p>Hi</p>"}).items():
            archive.writestr(name, text)
    return buffer.getvalue()


def handmade_package(href: str = "index.html", **files: str) -> bytes:
    return zip_with_manifest(MANIFEST_12.replace("__HREF__", href), files or None)


LESSON = """---
slug: water
kind: scorm
title: {title}
minutes: 15
required: true
package: {package}
---
{body}
"""


def add_scorm_lesson(pack: Path, data: bytes, package: str = "05-water.zip") -> None:
    module = pack / "01-basics"
    for language, title, body in (
        ("fr", "L'eau à la maison", "Un module interactif."),
        ("en", "Water at home", "An interactive module."),
    ):
        (module / f"05-water.scorm.{language}.md").write_text(
            LESSON.format(title=title, package=package, body=body), encoding="utf-8"
        )
    if data:
        (module / "05-water.zip").write_bytes(data)
