"""SCORM packages: reading one safely, finding the SCO it launches, storing it extracted.

A SCORM package is a .zip with an ``imsmanifest.xml`` at its root (or in the zip's single top
folder, as authors often zip the folder itself). It comes from outside, so it is hostile until
proven otherwise:

- its entries go through the pack upload's zip guards (``zipsafe.checked_entries``: no path out of
  the folder, no symbolic link, no zip bomb, no duplicate, a bounded number of files);
- the manifest is parsed with ``defusedxml`` with DTDs forbidden: no external entity (XXE) can read
  a file, no entity expansion (billion laughs) can fill the memory;
- the launch file must be a file of the package: no absolute URL, no ``../``.

``inspect_package(data)`` returns a ``ScormPackage`` (the SCORM version, the launch SCO, its title)
or raises ``ScormPackageError`` with a translated reason. ``store_package(data)`` extracts a checked
package under the instance folder (``LMS_SCORM_FOLDER``), in a folder named by the zip's sha256, so
two lessons with the same package share it and a re-import never extracts it twice.

Only the first SCO of the default organization is played (the launch SCO); SCORM 2004 sequencing
between several SCOs is not run.
"""

from __future__ import annotations

import hashlib
import io
import os
import posixpath
import shutil
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from flask import current_app, has_app_context
from flask_babel import gettext as _

from .zipsafe import PackZipError, checked_entries, extract_pack_zip

MANIFEST = "imsmanifest.xml"
MAX_MANIFEST_BYTES = 2 * 1024 * 1024
MAX_PACKAGE_FILES = 10000
#: what a package may weigh once extracted, in MB, unless ``LMS_SCORM_MAX_UNZIPPED_MB`` says
#: otherwise (a video course is large; zipsafe's ratio guard stops a bomb well before)
MAX_UNZIPPED_MB = 500
#: schemaversion (as written in manifests) → (runtime, edition shown to people)
VERSIONS = {
    "1.2": ("1.2", "SCORM 1.2"),
    "cam 1.3": ("2004", "SCORM 2004 2nd Edition"),
    "2004 3rd edition": ("2004", "SCORM 2004 3rd Edition"),
    "2004 4th edition": ("2004", "SCORM 2004 4th Edition"),
}
ADLCP_12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
ADLCP_2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
COMPLETE_MARK = ".complete"


class ScormPackageError(ValueError):
    """The file is not a SCORM package we play; ``message`` says why (translated)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ScormPackage:
    sha256: str
    #: the runtime the package talks to: "1.2" or "2004"
    version: str
    edition: str
    identifier: str
    title: str
    #: the launch SCO's file, relative to the package's root, with its query string if any
    launch: str
    #: SCORM 1.2's adlcp:masteryscore of the launch item (percent), if given
    mastery_score: int | None
    files: int
    size: int

    def settings(self) -> dict[str, Any]:
        """What a ``scorm`` lesson keeps in ``Lesson.settings``."""
        return {"scorm": asdict(self)}


# -- reading a package ----------------------------------------------------------------------


def max_unzipped_mb() -> int:
    """``LMS_SCORM_MAX_UNZIPPED_MB`` (outside an app, as in ``lms curriculum check``: 500)."""
    if has_app_context():
        return int(current_app.config.get("LMS_SCORM_MAX_UNZIPPED_MB") or MAX_UNZIPPED_MB)
    return MAX_UNZIPPED_MB


def inspect_package(
    data: bytes,
    *,
    max_unzipped_bytes: int | None = None,
    max_files: int = MAX_PACKAGE_FILES,
) -> ScormPackage:
    """Check a package (.zip bytes) without writing anything; raise ``ScormPackageError``."""
    if max_unzipped_bytes is None:
        max_unzipped_bytes = max_unzipped_mb() * 1024 * 1024
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as error:
        raise ScormPackageError(_("The file is not a valid .zip archive.")) from error
    with archive:
        try:
            entries = checked_entries(archive, max_unzipped_bytes, max_files)
        except PackZipError as error:
            raise ScormPackageError(error.message) from error
        paths = {"/".join(parts): info for info, parts in entries}
        prefix = _package_root(paths)
        manifest_info = paths[prefix + MANIFEST]
        if manifest_info.file_size > MAX_MANIFEST_BYTES:
            raise ScormPackageError(
                _("imsmanifest.xml is too large (at most %(n)d KB).", n=MAX_MANIFEST_BYTES // 1024)
            )
        try:
            with archive.open(manifest_info) as stream:
                manifest = stream.read(MAX_MANIFEST_BYTES + 1)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
            raise ScormPackageError(
                _("The .zip archive is damaged or uses an unsupported format.")
            ) from error
    files = {path[len(prefix) :] for path in paths}
    parsed = parse_manifest(manifest, files)
    return ScormPackage(
        sha256=hashlib.sha256(data).hexdigest(),
        files=len(files),
        size=sum(info.file_size for info in paths.values()),
        **parsed,
    )


def _package_root(paths: dict[str, zipfile.ZipInfo]) -> str:
    """The folder of the zip that holds imsmanifest.xml: its root, or its single top folder."""
    if MANIFEST in paths:
        return ""
    tops = {path.split("/", 1)[0] for path in paths}
    if len(tops) == 1 and all("/" in path for path in paths):
        top = tops.pop() + "/"
        if top + MANIFEST in paths:
            return top
    raise ScormPackageError(
        _("The package has no imsmanifest.xml at its root: it is not a SCORM package.")
    )


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _child(element: Element, name: str) -> Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _attribute(element: Element, name: str) -> str | None:
    """An attribute by local name, whatever its namespace and case (``adlcp:scormtype`` in SCORM
    1.2, ``adlcp:scormType`` in 2004)."""
    for key, value in element.attrib.items():
        if _local(key).lower() == name.lower():
            return value
    return None


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def parse_manifest(manifest: bytes, files: set[str]) -> dict[str, Any]:
    """The version, identifier, title, launch file and mastery score of a manifest, checked
    against the package's files; raises ``ScormPackageError``."""
    try:
        root = fromstring(manifest, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise ScormPackageError(
            _(
                "imsmanifest.xml declares a DTD or entities, which are refused "
                "(they can read the server's files or grow into gigabytes)."
            )
        ) from error
    except ParseError as error:
        raise ScormPackageError(
            _("imsmanifest.xml is not well-formed XML (%(detail)s).", detail=str(error))
        ) from error
    if _local(root.tag) != "manifest":
        raise ScormPackageError(_("imsmanifest.xml is not an IMS content packaging manifest."))
    version, edition = _version(root)
    organization = _default_organization(root)
    resources = {
        _attribute(resource, "identifier"): resource
        for holder in _children(root, "resources")
        for resource in _children(holder, "resource")
    }
    item, resource = (
        _launch_item(organization, resources) if organization is not None else (None, None)
    )
    if item is None or resource is None:
        raise ScormPackageError(
            _('imsmanifest.xml: no item launches a SCO (a resource with adlcp:scormType="sco").')
        )
    launch = _launch_path(root, resource, item, files)
    title = _text(_child(organization, "title")) or _text(_child(item, "title"))
    return {
        "version": version,
        "edition": edition,
        "identifier": _attribute(root, "identifier") or "",
        "title": title[:200] or (_attribute(root, "identifier") or "")[:200],
        "launch": launch,
        "mastery_score": _mastery_score(item) if version == "1.2" else None,
    }


def _version(root: Element) -> tuple[str, str]:
    metadata = _child(root, "metadata")
    written = _text(_child(metadata, "schemaversion")) if metadata is not None else ""
    if written:
        if written.lower() not in VERSIONS:
            raise ScormPackageError(
                _(
                    "imsmanifest.xml: unsupported SCORM version '%(version)s' "
                    "(SCORM 1.2 and SCORM 2004 3rd or 4th edition are played).",
                    version=written[:40],
                )
            )
        return VERSIONS[written.lower()]
    # No schemaversion: the namespace of the ADL attributes says which SCORM it is.
    namespaces = {key.split("}")[0][1:] for element in root.iter() for key in element.attrib}
    if ADLCP_12 in namespaces:
        return VERSIONS["1.2"]
    if ADLCP_2004 in namespaces:
        return VERSIONS["2004 3rd edition"]
    raise ScormPackageError(
        _(
            "imsmanifest.xml: unsupported SCORM version '%(version)s' "
            "(SCORM 1.2 and SCORM 2004 3rd or 4th edition are played).",
            version="?",
        )
    )


def _default_organization(root: Element) -> Element | None:
    holder = _child(root, "organizations")
    if holder is None:
        return None
    organizations = _children(holder, "organization")
    default = _attribute(holder, "default")
    for organization in organizations:
        if default and _attribute(organization, "identifier") == default:
            return organization
    return organizations[0] if organizations else None


def _launch_item(
    organization: Element, resources: dict[str | None, Element]
) -> tuple[Element | None, Element | None]:
    """The first item (depth first, in the manifest's order) whose resource is a SCO."""
    for item in organization.iter():
        if _local(item.tag) != "item":
            continue
        resource = resources.get(_attribute(item, "identifierref"))
        if resource is not None and (_attribute(resource, "scormtype") or "").lower() == "sco":
            return item, resource
    return None, None


def _launch_path(root: Element, resource: Element, item: Element, files: set[str]) -> str:
    href = _attribute(resource, "href") or ""
    bases = [root.get(XML_BASE, "")]
    bases += [holder.get(XML_BASE, "") for holder in _children(root, "resources")]
    bases.append(resource.get(XML_BASE, ""))
    written = "".join(base for base in bases if base) + href
    parts = urlsplit(written)
    path = unquote(parts.path)
    normalized = posixpath.normpath(path) if path else ""
    if (
        parts.scheme
        or parts.netloc
        or not normalized
        or normalized.startswith(("/", "../"))
        or normalized in (".", "..")
        or "\\" in path
    ):
        raise ScormPackageError(
            _(
                "imsmanifest.xml: the launch file '%(path)s' is outside the package.",
                path=written[:200],
            )
        )
    if normalized not in files:
        raise ScormPackageError(
            _(
                "imsmanifest.xml: the launch file '%(path)s' is not in the package.",
                path=normalized[:200],
            )
        )
    query = parts.query
    parameters = (_attribute(item, "parameters") or "").strip()
    if parameters:
        # SCORM's rule: "?a=1" or "a=1" join the launch's query; "#x" is a fragment (dropped:
        # the server never sees it and the content rarely needs it).
        extra = parameters.lstrip("?").split("#", 1)[0]
        query = f"{query}&{extra}" if query and extra else (query or extra)
    return normalized + (f"?{query}" if query else "")


def _mastery_score(item: Element) -> int | None:
    text = _text(_child(item, "masteryscore"))
    try:
        value = round(float(text))
    except ValueError:
        return None
    return value if 0 <= value <= 100 else None


# -- storing a package ----------------------------------------------------------------------


def package_root() -> Path:
    """Where packages are extracted: ``LMS_SCORM_FOLDER``, else ``instance/scorm``."""
    configured = current_app.config.get("LMS_SCORM_FOLDER")
    return Path(configured or os.path.join(current_app.instance_path, "scorm"))


def package_folder(sha256: str) -> Path:
    return package_root() / sha256


def store_package(data: bytes, package: ScormPackage) -> Path:
    """Extract a checked package into its folder (once: a folder already complete is kept).

    Extracted in a temporary folder next to it, then renamed, so a reader never sees half a
    package and two imports of the same package at once do not clash.
    """
    root = package_root()
    target = root / package.sha256
    if (target / COMPLETE_MARK).exists():
        return target
    root.mkdir(parents=True, exist_ok=True)
    incoming = Path(tempfile.mkdtemp(prefix=".incoming-", dir=root))
    try:
        folder = extract_pack_zip(
            io.BytesIO(data),
            incoming / "package",
            max_zip_bytes=len(data),
            max_unzipped_bytes=max(package.size, 1),
            max_files=max(package.files + 1, 1),
        )
        (folder / COMPLETE_MARK).write_text(package.sha256)
        if target.exists():  # an earlier, interrupted extraction
            shutil.rmtree(target, ignore_errors=True)
        try:
            folder.rename(target)
        except OSError:
            if not (target / COMPLETE_MARK).exists():  # not another import's finished copy
                raise
    except PackZipError as error:
        raise ScormPackageError(error.message) from error
    finally:
        shutil.rmtree(incoming, ignore_errors=True)
    return target
